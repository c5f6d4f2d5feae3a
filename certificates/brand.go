package certificates

import "github.com/jung-kurt/gofpdf"

// brand draws the "江西表嫂" mark, the province's labour brand for 康养
// workers, as vector art of the project's own: a red ring holding a heart
// (care) under a green leaf (health), with the brand name in Kai below. x, y
// is the top left corner of its size × size square.
func brand(p *gofpdf.Fpdf, x, y, size float64) {
	r := size / 2
	cx, cy := x+r, y+r
	p.SetLineWidth(size * 0.025)
	p.SetDrawColor(0x9c, 0x2a, 0x1f)
	p.Circle(cx, cy, r*0.97, "D")
	p.SetLineWidth(size * 0.008)
	p.SetDrawColor(0xc8, 0xa0, 0x4a)
	p.Circle(cx, cy, r*0.86, "D")

	// The heart: two cubic halves from the bottom tip to the top notch.
	hx, hy := cx, cy-r*0.12
	p.SetFillColor(0xc0, 0x39, 0x2b)
	p.MoveTo(hx, hy+r*0.36)
	p.CurveBezierCubicTo(hx-r*0.52, hy+r*0.02, hx-r*0.40, hy-r*0.44, hx, hy-r*0.18)
	p.CurveBezierCubicTo(hx+r*0.40, hy-r*0.44, hx+r*0.52, hy+r*0.02, hx, hy+r*0.36)
	p.ClosePath()
	p.DrawPath("F")

	// The leaf springing from the notch, with a white midrib.
	p.SetFillColor(0x2e, 0x8b, 0x57)
	p.MoveTo(hx, hy-r*0.18)
	p.CurveBezierCubicTo(hx+r*0.05, hy-r*0.55, hx+r*0.30, hy-r*0.62, hx+r*0.48, hy-r*0.60)
	p.CurveBezierCubicTo(hx+r*0.40, hy-r*0.40, hx+r*0.22, hy-r*0.22, hx, hy-r*0.18)
	p.ClosePath()
	p.DrawPath("F")
	p.SetDrawColor(0xff, 0xff, 0xff)
	p.SetLineWidth(size * 0.006)
	p.Line(hx+r*0.03, hy-r*0.22, hx+r*0.40, hy-r*0.55)

	// A small white figure in the heart: head and shoulders of the carer.
	p.SetFillColor(0xff, 0xff, 0xff)
	p.Circle(hx, hy-r*0.02, r*0.07, "F")
	p.MoveTo(hx-r*0.15, hy+r*0.18)
	p.CurveBezierCubicTo(hx-r*0.12, hy+r*0.06, hx+r*0.12, hy+r*0.06, hx+r*0.15, hy+r*0.18)
	p.ClosePath()
	p.DrawPath("F")

	// The name in Kai, and its romanisation, inside the lower ring.
	p.SetTextColor(0x9c, 0x2a, 0x1f)
	fs := r * 0.36 / ptToMM
	p.SetFont("kai", "", fs)
	p.SetXY(x, cy+r*0.34)
	p.CellFormat(size, fs*ptToMM, brandName, "", 0, "CM", false, 0, "")
	p.SetFont("song", "", fs*0.32)
	p.SetXY(x, cy+r*0.66)
	p.CellFormat(size, fs*0.32*ptToMM, brandLatin, "", 0, "CM", false, 0, "")
}
