// Package certificates issues, renders and verifies skillscore's two
// documents: the 获奖证书 (award certificate) and the 职业技能等级证书 (level
// certificate). It numbers them in the national 22-character format, signs
// their facts with Ed25519 so that anyone can check a printed QR code against
// the published public keys, renders them as PDF with gofpdf from layouts
// that are data (templates/certificates), and answers the public
// verification lookups. It never hands out an unmasked 证件号码: every view
// it builds outside the organizer's own files carries the masked number only.
package certificates
