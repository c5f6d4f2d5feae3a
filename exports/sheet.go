package exports

// WriteXLSX writes one sheet the way every export here is laid out: the
// title in row 1, the header in row HeaderRow, one row per record below
// it, every cell text (a 证件号码 never turns into a number, a score never
// into a rounded float). Other packages' workbooks (the batch report's)
// use it so that an office reads them all alike.
func WriteXLSX(sheet, title string, header []string, rows [][]string) ([]byte, error) {
	return writeXLSX(sheet, title, header, rows)
}
