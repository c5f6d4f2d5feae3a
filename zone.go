package skillscore

import "time"

// china is UTC+8 without daylight saving. Events are held in China, so every
// time a person reads (pages, PDFs, command output, error messages) and every
// date reckoned for a rule (公示 working days, 仲裁 deadlines, retention dates)
// is in this one zone; the server's own TZ is not its users'.
var china = time.FixedZone("CST", 8*3600)

// China is the zone every displayed time and every rule's calendar date is in
// (UTC+8, no DST), whatever the server's TZ is.
func China() *time.Location { return china }
