package route53

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/regis-infra/terraform-provider-regis/internal/emulator/core"
)

// Changes: what ChangeResourceRecordSets, CreateHostedZone and
// DeleteHostedZone return, PENDING until their delay has passed (GetChange).

type xmlChangeInfo struct {
	ID          string `xml:"Id"`
	Status      string `xml:"Status"`
	SubmittedAt string `xml:"SubmittedAt"`
	Comment     string `xml:"Comment,omitempty"`
}

// change is one submitted change: PENDING until its delay has passed.
type change struct {
	id        string
	submitted time.Time
	ready     time.Time
	comment   string
}

func (s *Service) newChange(comment string) *change {
	now := s.now()
	ch := &change{id: "C" + core.RandomID(13), submitted: now, ready: now.Add(s.delays.Change), comment: comment}
	s.changes[ch.id] = ch
	return ch
}

func (s *Service) changeXML(ch *change) xmlChangeInfo {
	status := "PENDING"
	if !s.now().Before(ch.ready) {
		status = "INSYNC"
	}
	return xmlChangeInfo{ID: "/change/" + ch.id, Status: status, SubmittedAt: timestamp(ch.submitted), Comment: ch.comment}
}

func (s *Service) getChange(req *core.Request) (any, *core.APIError) {
	id := stripPrefix(req.Param("Id"))
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.changes[id]
	if ch == nil {
		return nil, core.StatusErrorf(http.StatusNotFound, "NoSuchChange", "A change with the specified change ID does not exist.")
	}
	return struct {
		XMLName    xml.Name      `xml:"https://route53.amazonaws.com/doc/2013-04-01/ GetChangeResponse"`
		ChangeInfo xmlChangeInfo `xml:"ChangeInfo"`
	}{ChangeInfo: s.changeXML(ch)}, nil
}
