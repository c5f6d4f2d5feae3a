package sessions

import (
	"crypto/subtle"
	"strconv"
	"strings"

	"skillscore"
	"skillscore/privacy"
	"skillscore/scoring"
)

// An entry card's QR code carries a token naming the event and the
// contestant by their database ids, signed with a keyed HMAC:
//
//	SKC1:<event id>:<contestant id>:<32 hex digits, upper case>
//
// Upper-case letters, digits and ':' are in the QR code's alphanumeric set,
// so the symbol stays small. No name, number or other personal data is in
// it: a card photographed at the venue names nobody.
const tokenPrefix = "SKC1"

// tokenField binds the HMAC to this use, so an index of a 证件号码 can
// never pass for a card's token nor the other way round.
const tokenField privacy.Field = "entry_card"

// Indexer is the part of the privacy keyring tokens need: Index signs with
// the current key, Indexes checks against every key, so cards printed
// before a key rotation still scan.
type Indexer interface {
	Index(f privacy.Field, plain string) (string, error)
	Indexes(f privacy.Field, plain string) ([]string, error)
}

func tokenSubject(eventID, contestantID int64) string {
	return strconv.FormatInt(eventID, 10) + ":" + strconv.FormatInt(contestantID, 10)
}

// CardToken signs the token of one contestant's entry card.
func CardToken(k Indexer, eventID, contestantID int64) (string, error) {
	mac, err := k.Index(tokenField, tokenSubject(eventID, contestantID))
	if err != nil {
		return "", err
	}
	return tokenPrefix + ":" + tokenSubject(eventID, contestantID) + ":" + strings.ToUpper(mac), nil
}

// ParseCardToken checks a scanned or typed token and returns the event and
// contestant it names. Surrounding spaces and a lower-case copy are
// accepted; anything else altered is refused, in the words of the event
// (参赛证 or 准考证).
func ParseCardToken(k Indexer, token string, t scoring.Terms) (eventID, contestantID int64, err error) {
	bad := skillscore.Errorf(skillscore.EInvalid, "这不是本系统的%s二维码，或二维码已损坏：请改用%s和证件号码后 4 位%s", t.Card, t.CardNo, t.CheckIn)
	parts := strings.Split(strings.ToUpper(strings.TrimSpace(token)), ":")
	if len(parts) != 4 || parts[0] != tokenPrefix {
		return 0, 0, bad
	}
	eventID, err1 := strconv.ParseInt(parts[1], 10, 64)
	contestantID, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || eventID <= 0 || contestantID <= 0 || tokenSubject(eventID, contestantID) != parts[1]+":"+parts[2] {
		return 0, 0, bad
	}
	macs, err := k.Indexes(tokenField, tokenSubject(eventID, contestantID))
	if err != nil {
		return 0, 0, err
	}
	for _, m := range macs {
		if subtle.ConstantTimeCompare([]byte(strings.ToUpper(m)), []byte(parts[3])) == 1 {
			return eventID, contestantID, nil
		}
	}
	return 0, 0, skillscore.Errorf(skillscore.EInvalid, "%s二维码的签名不符：此证不是本系统签发，或已被改动", t.Card)
}
