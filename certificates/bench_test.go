package certificates

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"skillscore/internal/browsertest"
)

// benchEventSize is the load of the benchmark: one event's 1,000
// certificates, award and level mixed as a large competition gives them.
const benchEventSize = 1000

func benchDocs(tb testing.TB, n int) []Document {
	kr, _ := testKeys(tb)
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕欧阳")
	given := []string{"秀英", "桂兰", "玉梅", "淑珍", "丽华", "建华", "晓燕", "春梅", "海燕", "志强", "文静", "佳怡",
		"雨涵", "思琪", "子涵", "欣怡", "梓萱", "浩然", "宇轩", "俊杰", "红梅", "小芳", "金凤", "国庆", "美玲", "雪梅"}
	orgs := []string{"南昌市颐康养老服务中心", "九江市庐山区福寿康养院", "宜春市明月山康养中心", "上饶市信州区康宁护理院",
		"抚州市社会福利中心", "景德镇市瓷都颐养院", "赣州市章贡区福康养老院", "江西康养职业技术学校"}
	docs := make([]Document, n)
	for i := range docs {
		f := awardFacts()
		if i%10 < 3 {
			f = levelFacts()
		}
		f.Name = string(surnames[i%len(surnames)]) + given[(i/len(surnames))%len(given)]
		f.Organization = orgs[i%len(orgs)]
		f.Rank = 1 + i%300
		if f.Kind == KindLevel {
			f.Number = fmt.Sprintf("S0000360000012620%05d", i+1)
		} else {
			f.Number = fmt.Sprintf("HJ3620260%05d", i+1)
		}
		docs[i] = sealed(tb, kr, f, fmt.Sprintf("3601021990%07d%d", i, i%10))
	}
	return docs
}

func reportPages(b *testing.B, pages int) {
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(0, "ns/op") // one op is a whole batch: pages/s is the figure
}

// BenchmarkCertificates measures the load, 1,000 certificates of
// one event: single PDFs (the batch's cut-down fonts, every CPU), the one
// printable PDF, the straightforward gofpdf loop as a baseline (full 5 MB
// fonts added to every document), and printing from HTML in a warm headless
// Chromium, the common alternative.
//
//	go test ./certificates -run '^$' -bench Certificates -benchtime 3x
func BenchmarkCertificates(b *testing.B) {
	r := testRenderer(b)
	docs := benchDocs(b, benchEventSize)
	ctx := context.Background()
	b.Run("single-pdfs", func(b *testing.B) {
		size := 0
		for b.Loop() {
			size = 0
			err := renderEach(ctx, r, docs, func(i int, pdf []byte) error {
				size += len(pdf)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		reportPages(b, len(docs))
		b.ReportMetric(float64(size)/float64(len(docs))/1024, "KiB/pdf")
	})
	b.Run("combined-pdf", func(b *testing.B) {
		var cw countWriter
		for b.Loop() {
			cw = 0
			br, err := r.ForBatch(docs)
			if err != nil {
				b.Fatal(err)
			}
			if err := br.Combined(&cw, docs, nil); err != nil {
				b.Fatal(err)
			}
		}
		reportPages(b, len(docs))
		b.ReportMetric(float64(cw)/1024/1024, "MiB")
	})
	// The baseline parses the full fonts in every document, one core: a
	// sample of the batch keeps it under a minute.
	const naive = 40
	b.Run("baseline-full-fonts-1-core", func(b *testing.B) {
		for b.Loop() {
			for _, d := range docs[:naive] {
				if _, err := r.Single(d); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportPages(b, naive)
	})
	const printed = 20
	b.Run("chromium-html-print", func(b *testing.B) {
		bctx := browsertest.New(b, 1240, 1754)
		tmpl := template.Must(template.New("cert").Parse(chromiumCertHTML))
		print := func(d Document) ([]byte, error) {
			png, err := r.qrPNG(d)
			if err != nil {
				return nil, err
			}
			var html strings.Builder
			if err := tmpl.Execute(&html, map[string]any{"F": d.fields(), "QR": template.URL(
				"data:image/png;base64," + base64.StdEncoding.EncodeToString(png))}); err != nil {
				return nil, err
			}
			tree, err := chromedp.Call(bctx, page.GetFrameTree, cdp.Empty{})
			if err != nil {
				return nil, err
			}
			if _, err := chromedp.Call(bctx, page.SetDocumentContent,
				page.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: html.String()}); err != nil {
				return nil, err
			}
			w, h, yes := 8.27, 11.69, true
			res, err := chromedp.Call(bctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: w, PaperHeight: h,
				PrintBackground: &yes, PreferCSSPageSize: &yes})
			return res.Data, err
		}
		// Warm: the browser is started and has printed once before timing.
		if _, err := print(docs[0]); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			for _, d := range docs[:printed] {
				if _, err := print(d); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportPages(b, printed)
	})
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}

// chromiumCertHTML is the level certificate's layout as an HTML page, for
// the Chromium comparison: the same fields, fonts and QR code.
const chromiumCertHTML = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 0 }
body { margin: 0; font-family: "AR PL SungtiL GB", serif; }
.page { position: relative; width: 210mm; height: 297mm; }
.b1 { position: absolute; left: 8mm; top: 8mm; width: 194mm; height: 281mm; border: 1.2mm solid #9c2a1f; box-sizing: border-box }
h1 { position: absolute; top: 60mm; width: 100%; text-align: center; font-family: "AR PL KaitiM GB"; font-size: 30pt; color: #9c2a1f; margin: 0 }
dl { position: absolute; left: 30mm; top: 94mm; font-size: 14pt; line-height: 12mm; margin: 0 }
dt { float: left; width: 40mm; font-family: "AR PL KaitiM GB" } dd { margin-left: 40mm }
img { position: absolute; left: 140mm; top: 206mm; width: 42mm; height: 42mm }
.q { position: absolute; left: 20mm; top: 262mm; font-size: 9pt }
</style></head><body><div class="page"><div class="b1"></div><h1>职业技能等级证书</h1>
<dl><dt>姓　　名：</dt><dd>{{.F.name}}</dd><dt>证件类型：</dt><dd>{{.F.id_type}}</dd><dt>证件号码：</dt><dd>{{.F.id_number}}</dd>
<dt>职业名称：</dt><dd>{{.F.occupation}}</dd><dt>工种/职业方向：</dt><dd>{{.F.specialty}}</dd><dt>职业技能等级：</dt><dd>{{.F.level}}</dd>
<dt>证书编号：</dt><dd>{{.F.number}}</dd><dt>评价机构名称：</dt><dd>{{.F.issuer}}</dd><dt>发证日期：</dt><dd>{{.F.date}}</dd></dl>
<img src="{{.QR}}" alt=""><div class="q">证书查询：{{.F.verify_url}}</div></div></body></html>`
