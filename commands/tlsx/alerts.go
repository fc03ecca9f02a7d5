// This file holds the TLS alerts: their RFC names, and the reason OpenSSL
// (and so Python's ssl module) gives for each when the peer sends it.

package tlsx

import (
	"crypto/tls"
	"fmt"
	"strings"
	"sync"
)

// alertNames are the alert descriptions as RFC 8446 (6) and RFC 5246 name them.
var alertNames = map[byte]string{0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
	21: "decryption_failed", 22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure",
	42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca", 49: "access_denied",
	50: "decode_error", 51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security",
	80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
	109: "missing_extension", 110: "unsupported_extension", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 115: "unknown_psk_identity", 116: "certificate_required",
	120: "no_application_protocol"}

// AlertName is an alert description's RFC name: "handshake_failure".
func AlertName(d byte) string {
	if n, ok := alertNames[d]; ok {
		return n
	}
	return fmt.Sprintf("alert %d", d)
}

// opensslAlertReasons are OpenSSL's reason codes for an alert received
// from the peer (ssl/ssl_err.c); the reason's text is the code in lower
// case with spaces: SSLV3_ALERT_HANDSHAKE_FAILURE, "sslv3 alert handshake failure".
var opensslAlertReasons = map[byte]string{10: "SSLV3_ALERT_UNEXPECTED_MESSAGE", 20: "SSLV3_ALERT_BAD_RECORD_MAC",
	21: "TLSV1_ALERT_DECRYPTION_FAILED", 22: "TLSV1_ALERT_RECORD_OVERFLOW", 30: "SSLV3_ALERT_DECOMPRESSION_FAILURE",
	40: "SSLV3_ALERT_HANDSHAKE_FAILURE", 42: "SSLV3_ALERT_BAD_CERTIFICATE", 43: "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
	44: "SSLV3_ALERT_CERTIFICATE_REVOKED", 45: "SSLV3_ALERT_CERTIFICATE_EXPIRED", 46: "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
	47: "SSLV3_ALERT_ILLEGAL_PARAMETER", 48: "TLSV1_ALERT_UNKNOWN_CA", 49: "TLSV1_ALERT_ACCESS_DENIED",
	50: "TLSV1_ALERT_DECODE_ERROR", 51: "TLSV1_ALERT_DECRYPT_ERROR", 70: "TLSV1_ALERT_PROTOCOL_VERSION",
	71: "TLSV1_ALERT_INSUFFICIENT_SECURITY", 80: "TLSV1_ALERT_INTERNAL_ERROR", 86: "TLSV1_ALERT_INAPPROPRIATE_FALLBACK",
	90: "TLSV1_ALERT_USER_CANCELLED", 100: "SSLV3_ALERT_NO_RENEGOTIATION", 109: "TLSV13_ALERT_MISSING_EXTENSION",
	110: "TLSV1_ALERT_UNSUPPORTED_EXTENSION", 112: "TLSV1_UNRECOGNIZED_NAME", 113: "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE",
	115: "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY", 116: "TLSV13_ALERT_CERTIFICATE_REQUIRED", 120: "TLSV1_ALERT_NO_APPLICATION_PROTOCOL"}

// goRemoteAlerts maps crypto/tls's text of each alert ("tls: certificate
// required") back to the alert: a received alert reaches the caller only
// as that text. Built on first use (only a failed handshake needs it).
var goRemoteAlerts = sync.OnceValue(func() map[string]byte {
	m := map[string]byte{}
	for d := 0; d < 256; d++ {
		m[tls.AlertError(d).Error()] = byte(d)
	}
	return m
})

// alertReason is OpenSSL's reason for a received alert: its code and text.
// known is false for an alert OpenSSL has no reason for (Python then
// says "[SSL] unknown error").
func alertReason(d byte) (code, text string, known bool) {
	code, ok := opensslAlertReasons[d]
	if !ok {
		return "", "", false
	}
	return code, strings.ToLower(strings.ReplaceAll(code, "_", " ")), true
}
