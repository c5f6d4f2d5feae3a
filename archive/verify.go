package archive

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"skillscore"
	"skillscore/certificates"
)

// maxManifest bounds manifest.json and manifest.sig as read by Verify.
const maxManifest = 64 << 20

// Trust is what the verifier trusts, obtained apart from the archive: a
// key carried inside an archive proves nothing by itself, since whoever
// altered the files could sign a new manifest with a key of their own.
// Exactly one of these is normally given.
type Trust struct {
	// Keys is the published key set (/.well-known/skillscore-certificate-keys.json
	// or `certs` public-keys.json): the archive's key must be one of them.
	Keys *certificates.PublicKeys
	// Fingerprint is the hex SHA-256 of the signing key, as the organizer
	// prints or reads it out: the embedded key must have it.
	Fingerprint string
	// IntegrityOnly accepts the embedded key as it is: the check then only
	// shows that nothing changed since whoever signed it signed it.
	IntegrityOnly bool
}

// Report is what a verification found.
type Report struct {
	Manifest    *Manifest
	KeyID       string
	Fingerprint string
	Trusted     string // how the key was trusted, in Chinese; "" when it was not
	SignatureOK bool
	Changed     []string // files whose size or SHA-256 differ from the manifest
	Missing     []string // files the manifest lists that the ZIP lacks
	Extra       []string // files in the ZIP the manifest does not list
	Problems    []string // anything else: no manifest, bad signature, untrusted key …
	Checked     int      // files whose content matched
}

// OK reports whether the archive is intact, signed by a trusted key.
func (r *Report) OK() bool {
	return r.SignatureOK && r.Trusted != "" && len(r.Changed)+len(r.Missing)+len(r.Extra)+len(r.Problems) == 0
}

// Verify checks an archive offline: the signature over manifest.json with
// a trusted key, then every file against the manifest, streaming each
// through SHA-256. It reports every difference it finds, not only the
// first; err is for an archive it could not read at all.
func Verify(r io.ReaderAt, size int64, trust Trust) (*Report, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, skillscore.Wrap(skillscore.EInvalid, err, "不是有效的 ZIP 归档文件："+err.Error())
	}
	rep := &Report{}
	entries := map[string]*zip.File{}
	var dups []string
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		if entries[f.Name] != nil {
			dups = append(dups, f.Name)
		}
		entries[f.Name] = f
	}
	for _, d := range dups {
		rep.Problems = append(rep.Problems, "归档中有重名文件："+d)
	}
	rawManifest, err := readSmall(entries[ManifestName])
	if err != nil {
		rep.Problems = append(rep.Problems, "缺少或无法读取 "+ManifestName+"："+err.Error())
		return rep, nil
	}
	rawSig, err := readSmall(entries[SignatureName])
	if err != nil {
		rep.Problems = append(rep.Problems, "缺少或无法读取签名 "+SignatureName+"："+err.Error())
	} else {
		checkSignature(rep, rawManifest, rawSig, trust)
	}
	var m Manifest
	if err := json.Unmarshal(rawManifest, &m); err != nil {
		rep.Problems = append(rep.Problems, ManifestName+" 不是有效的 JSON："+err.Error())
		return rep, nil
	}
	if m.Format != Format {
		rep.Problems = append(rep.Problems, fmt.Sprintf("清单格式 %q 不是 %s", m.Format, Format))
	}
	rep.Manifest = &m
	listed := map[string]bool{ManifestName: true, SignatureName: true}
	for _, mf := range m.Files {
		listed[mf.Path] = true
		f := entries[mf.Path]
		if f == nil {
			rep.Missing = append(rep.Missing, mf.Path)
			continue
		}
		n, sum, err := hashEntry(f)
		switch {
		case err != nil:
			rep.Changed = append(rep.Changed, mf.Path+"（无法读取："+err.Error()+"）")
		case n != mf.Size || sum != mf.SHA256:
			rep.Changed = append(rep.Changed, mf.Path)
		default:
			rep.Checked++
		}
	}
	for name := range entries {
		if !listed[name] {
			rep.Extra = append(rep.Extra, name)
		}
	}
	sort.Strings(rep.Extra)
	return rep, nil
}

func checkSignature(rep *Report, manifest, rawSig []byte, trust Trust) {
	var sig Signature
	if err := json.Unmarshal(rawSig, &sig); err != nil {
		rep.Problems = append(rep.Problems, SignatureName+" 不是有效的 JSON："+err.Error())
		return
	}
	pub, err1 := base64.StdEncoding.DecodeString(sig.PublicKey)
	s, err2 := base64.StdEncoding.DecodeString(sig.Signature)
	if err1 != nil || err2 != nil || len(pub) != ed25519.PublicKeySize || sig.Alg != "Ed25519" {
		rep.Problems = append(rep.Problems, SignatureName+" 中的公钥或签名格式无效")
		return
	}
	rep.KeyID, rep.Fingerprint = certificates.KeyID(pub), Fingerprint(pub)
	if sig.KeyID != rep.KeyID || sig.Fingerprint != rep.Fingerprint {
		rep.Problems = append(rep.Problems, SignatureName+" 中的密钥编号或指纹与公钥不符")
		return
	}
	switch {
	case trust.Keys != nil:
		k, ok := trust.Keys.Key(rep.KeyID)
		if !ok || !bytes.Equal(k, pub) {
			rep.Problems = append(rep.Problems, fmt.Sprintf("签名密钥 %s 不在给定的公钥集中：归档不是用本机构公布的证书签名密钥签名的", rep.KeyID))
			return
		}
		rep.Trusted = "签名密钥 " + rep.KeyID + " 在给定的公钥集中"
	case trust.Fingerprint != "":
		want := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(trust.Fingerprint, ":", ""), " ", ""))
		if want != rep.Fingerprint {
			rep.Problems = append(rep.Problems, fmt.Sprintf("签名密钥指纹 %s 与给定的指纹 %s 不符", rep.Fingerprint, trust.Fingerprint))
			return
		}
		rep.Trusted = "签名密钥指纹与给定的指纹一致"
	case trust.IntegrityOnly:
		rep.Trusted = "未核对签名者（仅核对完整性）：请另行核对密钥指纹 " + rep.Fingerprint
	default:
		rep.Problems = append(rep.Problems, "未给出可信公钥或指纹：无法确认签名者")
		return
	}
	if !ed25519.Verify(pub, manifest, s) {
		rep.Trusted = ""
		rep.Problems = append(rep.Problems, "清单签名无效："+ManifestName+" 在签名后被改动，或签名不属于它")
		return
	}
	rep.SignatureOK = true
}

func readSmall(f *zip.File) ([]byte, error) {
	if f == nil {
		return nil, fmt.Errorf("没有此文件")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("超过 %d MB", maxManifest>>20)
	}
	return data, nil
}

func hashEntry(f *zip.File) (int64, string, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, "", err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return n, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}
