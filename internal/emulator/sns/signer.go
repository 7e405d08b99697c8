package sns

import (
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// signer signs notifications the way SNS does (SignatureVersion 1:
// SHA1withRSA, 2: SHA256withRSA) with a key made for this emulator. Its
// certificate is served by the admin handler, so a client can verify
// signatures by fetching it from the emulator instead of the SigningCertURL
// host.
type signer struct {
	key      *rsa.PrivateKey
	certPEM  []byte
	certName string
}

func newSigner(now time.Time) (*signer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject:      pkix.Name{CommonName: "sns.amazonaws.com", Organization: []string{"regis emulator"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	sum := md5.Sum(der)
	return &signer{
		key:      key,
		certPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		certName: "SimpleNotificationService-" + hex.EncodeToString(sum[:]) + ".pem",
	}, nil
}

// getSigner creates the signing key on first use (key generation takes
// tens of milliseconds). It returns nil if that failed.
func (s *Service) getSigner() *signer {
	s.signerOnce.Do(func() {
		sg, err := newSigner(s.env.Clock.Now())
		if err != nil {
			s.env.Logger.Error("sns: cannot create the message signing key", "err", err)
			return
		}
		s.signer = sg
	})
	return s.signer
}

// StringToSign is the canonical form SNS signs for a Notification: the
// Message, MessageId, Subject (if any), Timestamp, TopicArn and Type values,
// each preceded by its name, one per line.
func StringToSign(typ, messageID, topicARN, subject, message, timestamp string) string {
	var b strings.Builder
	for _, kv := range [][2]string{{"Message", message}, {"MessageId", messageID}, {"Subject", subject}, {"Timestamp", timestamp}, {"TopicArn", topicARN}, {"Type", typ}} {
		if kv[0] == "Subject" && kv[1] == "" {
			continue
		}
		b.WriteString(kv[0])
		b.WriteString("\n")
		b.WriteString(kv[1])
		b.WriteString("\n")
	}
	return b.String()
}

func (sg *signer) sign(version, typ, messageID, topicARN, subject, message, timestamp string) string {
	data := []byte(StringToSign(typ, messageID, topicARN, subject, message, timestamp))
	var sig []byte
	var err error
	if version == "2" {
		sum := sha256.Sum256(data)
		sig, err = rsa.SignPKCS1v15(nil, sg.key, crypto.SHA256, sum[:])
	} else {
		sum := sha1.Sum(data)
		sig, err = rsa.SignPKCS1v15(nil, sg.key, crypto.SHA1, sum[:])
	}
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// SigningCertificatePEM returns the PEM certificate whose key signs the
// notifications of this emulator (the file named at the end of each
// SigningCertURL).
func (s *Service) SigningCertificatePEM() []byte {
	if sg := s.getSigner(); sg != nil {
		return sg.certPEM
	}
	return nil
}

// AdminHandler implements core.AdminService, under /_emulator/sns/:
//
//	GET /stats                              delivery counters by subscription ARN
//	GET /SimpleNotificationService-<h>.pem  the signing certificate
func (s *Service) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		out := make(map[string]DeliveryStats, len(s.stats))
		for arn, st := range s.stats {
			out[arn] = *st
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /{file}", func(w http.ResponseWriter, r *http.Request) {
		sg := s.getSigner()
		if sg == nil || r.PathValue("file") != sg.certName {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(sg.certPEM)
	})
	return mux
}
