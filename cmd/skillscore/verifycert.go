package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"skillscore"
	"skillscore/certificates"
)

// runVerifyCert checks a certificate token offline: its signature against
// public keys from a key directory or a published key set. Revocation is an
// online fact, so it points at the verification page for the status.
func runVerifyCert(args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("verify-cert", flag.ContinueOnError)
	fl.SetOutput(stderr)
	fl.Usage = func() {
		fmt.Fprintln(stderr, "用法: skillscore verify-cert [--keys DIR | --pubkeys FILE] TOKEN 或 二维码网址")
		fl.PrintDefaults()
	}
	keys := fl.String("keys", envOr("SKILLSCORE_CERT_KEYS", ""), "密钥目录（读取其中的 *.pub）")
	pubkeys := fl.String("pubkeys", "", "公布的公钥集 JSON（/.well-known/skillscore-certificate-keys.json）")
	if err := parseFlagArgs(fl, args); err != nil {
		return err
	}
	if fl.NArg() != 1 || (*keys == "") == (*pubkeys == "") {
		return usagef("verify-cert", "需要一个证书令牌或二维码网址，以及 --keys DIR 或 --pubkeys FILE 之一",
			"one TOKEN and exactly one of --keys or --pubkeys")
	}
	var pub certificates.PublicKeys
	if *pubkeys != "" {
		data, err := os.ReadFile(*pubkeys)
		if err != nil {
			return skillscore.Wrap(skillscore.EInvalid, err, fmt.Sprintf("无法读取公钥文件 %s: %v", *pubkeys, err))
		}
		if pub, err = certificates.ParsePublicKeys(data); err != nil {
			return err
		}
	} else {
		kr, err := certificates.LoadKeyring(*keys)
		if err != nil {
			return err
		}
		pub = kr.Public
	}
	t, err := certificates.VerifyToken(certificates.TokenFromText(fl.Arg(0)), pub)
	if err != nil {
		return err
	}
	f := t.Facts
	fmt.Fprintf(stdout, "签名有效 (signature valid)，签名密钥 %s\n", t.KeyID)
	rows := [][2]string{{"证书编号", f.Number}, {"姓名", f.Name}, {"证件类型", f.IDType}, {"证件号码", f.IDMasked},
		{"职业名称", f.Occupation}, {"工种/职业方向", f.Specialty}, {"职业技能等级", f.Level}, {"赛事", f.Event},
		{"组别", f.Group}, {"奖项", f.Award}, {"晋升等级", f.Promotion}, {"单位", f.Organization},
		{"发证机构", f.Issuer}, {"发证日期", f.Date}}
	for _, r := range rows {
		if r[1] != "" {
			fmt.Fprintf(stdout, "  %s：%s\n", r[0], r[1])
		}
	}
	if f.Rank > 0 {
		fmt.Fprintf(stdout, "  名次：第 %d 名\n", f.Rank)
	}
	fmt.Fprintln(stdout, "离线核验只证明内容未被篡改；是否已撤销请到证书查询页核实 (revocation status: check the /verify page)")
	return nil
}
