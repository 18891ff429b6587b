package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsAreAValidDevConfig(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("dev defaults invalid: %v", err)
	}
	if !c.Dev() || c.Addr != ":8080" || c.DatabaseURL != "sqlite:data/minside.db" || c.OIDCIssuer != "http://localhost:8080/dev-idp" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestProductionRefusesMissingSecretsByName(t *testing.T) {
	c, err := Load(env(map[string]string{"MINSIDE_ENV": "production", "MINSIDE_BASE_URL": "https://minside.example.no"}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil {
		t.Fatal("production started without secrets")
	}
	for _, name := range []string{"MINSIDE_OIDC_ISSUER", "MINSIDE_OIDC_CLIENT_SECRET", "MINSIDE_PID_KEY", "MINSIDE_DOOR_TOKEN_KEY", "MINSIDE_VAPID_PRIVATE_KEY"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestProductionRefusesDevIdentityProvider(t *testing.T) {
	c, err := Load(env(map[string]string{
		"MINSIDE_ENV": "production", "MINSIDE_BASE_URL": "https://minside.example.no",
		"MINSIDE_OIDC_ISSUER": "https://minside.example.no/dev-idp", "MINSIDE_OIDC_CLIENT_SECRET": "s",
		"MINSIDE_PID_KEY": strings.Repeat("k", 32), "MINSIDE_DOOR_TOKEN_KEY": strings.Repeat("s", 32),
		"MINSIDE_VAPID_PUBLIC_KEY": "p", "MINSIDE_VAPID_PRIVATE_KEY": "q",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "dev identity provider") {
		t.Fatalf("want dev identity provider refusal, got %v", err)
	}
}

func TestSecretFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"MINSIDE_OIDC_CLIENT_SECRET_FILE": path}))
	if err != nil {
		t.Fatal(err)
	}
	if c.OIDCClientSecret != "from-file" {
		t.Fatalf("secret = %q", c.OIDCClientSecret)
	}
	if _, err := Load(env(map[string]string{"MINSIDE_OIDC_CLIENT_SECRET_FILE": path, "MINSIDE_OIDC_CLIENT_SECRET": "x"})); err == nil {
		t.Fatal("both the value and the file were accepted")
	}
}

func TestLoginLimit(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.LoginLimit != 60 {
		t.Fatalf("default login limit = %d, %v; want 60", c.LoginLimit, err)
	}
	c, err = Load(env(map[string]string{"MINSIDE_LOGIN_LIMIT": "500"}))
	if err != nil || c.LoginLimit != 500 {
		t.Fatalf("MINSIDE_LOGIN_LIMIT=500 gave %d, %v", c.LoginLimit, err)
	}
	_, err = Load(env(map[string]string{"MINSIDE_LOGIN_LIMIT": "sixty"}))
	if want := `MINSIDE_LOGIN_LIMIT: "sixty" must be logins a minute per client address, 1 to 100000`; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want %q, got %v", want, err)
	}
}

// TestReportLimits: the Open311 POST and anonymous report limits default to 60 a minute and 10 an
// hour, and are read from the environment.
func TestReportLimits(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.Open311PostLimit != 60 || c.ReportAnonymousLimit != 10 {
		t.Fatalf("defaults %d, %d, %v; want 60, 10", c.Open311PostLimit, c.ReportAnonymousLimit, err)
	}
	c, err = Load(env(map[string]string{"MINSIDE_OPEN311_POST_LIMIT": "600", "MINSIDE_REPORT_ANONYMOUS_LIMIT": "3"}))
	if err != nil || c.Open311PostLimit != 600 || c.ReportAnonymousLimit != 3 {
		t.Fatalf("from env %d, %d, %v; want 600, 3", c.Open311PostLimit, c.ReportAnonymousLimit, err)
	}
}

func TestBadValuesAreNamed(t *testing.T) {
	tests := map[string]map[string]string{
		"MINSIDE_SESSION_IDLE":           {"MINSIDE_SESSION_IDLE": "soon"},
		"MINSIDE_BODY_LIMIT":             {"MINSIDE_BODY_LIMIT": "10000000"},
		"MINSIDE_LOGIN_LIMIT":            {"MINSIDE_LOGIN_LIMIT": "0"},
		"MINSIDE_OPEN311_POST_LIMIT":     {"MINSIDE_OPEN311_POST_LIMIT": "-1"},
		"MINSIDE_REPORT_ANONYMOUS_LIMIT": {"MINSIDE_REPORT_ANONYMOUS_LIMIT": "ten"},
		"MINSIDE_SEED_DEMO":              {"MINSIDE_SEED_DEMO": "perhaps"},
	}
	for name, vars := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(env(vars))
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Fatalf("want an error naming %s, got %v", name, err)
			}
		})
	}
	c, _ := Load(env(map[string]string{"MINSIDE_ENV": "staging"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MINSIDE_ENV") {
		t.Fatalf("unknown env accepted: %v", err)
	}
}

func TestDevSecretsAreGeneratedOnceAndKept(t *testing.T) {
	c := Default()
	c.DataDir = t.TempDir()
	calls := 0
	gen := func() (string, string, error) { calls++; return "pub", "priv", nil }
	if err := c.FillDevSecrets(gen); err != nil {
		t.Fatal(err)
	}
	first := c
	if len(c.PIDKey) < 32 || c.DoorTokenKey == "" || c.OIDCClientSecret == "" || c.VAPIDPublicKey != "pub" {
		t.Fatalf("secrets not filled: %+v", c)
	}
	again := Default()
	again.DataDir = c.DataDir
	if err := again.FillDevSecrets(gen); err != nil {
		t.Fatal(err)
	}
	if again.PIDKey != first.PIDKey || again.DoorTokenKey != first.DoorTokenKey || calls != 1 {
		t.Fatal("dev secrets changed between starts")
	}
}

func TestPushSettingsAreValidated(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string // "" = valid
	}{
		{map[string]string{}, ""},
		{map[string]string{"MINSIDE_PUSH_ALLOWED_HOSTS": "default, push.kommune.no:8443"}, ""},
		{map[string]string{"MINSIDE_PUSH_ALLOWED_HOSTS": "https://evil.example/x.google.com/"}, "MINSIDE_PUSH_ALLOWED_HOSTS"},
		{map[string]string{"MINSIDE_PUSH_ALLOWED_HOSTS": "*"}, "MINSIDE_PUSH_ALLOWED_HOSTS"},
		{map[string]string{"MINSIDE_VAPID_SUBJECT": "https://kommune.no/kontakt"}, ""},
		{map[string]string{"MINSIDE_VAPID_SUBJECT": "mailto:ops@localhost"}, "MINSIDE_VAPID_SUBJECT"},
		{map[string]string{"MINSIDE_VAPID_SUBJECT": "ops@kommune.no"}, "MINSIDE_VAPID_SUBJECT"},
		{map[string]string{"MINSIDE_VAPID_PUBLIC_KEY": "p", "MINSIDE_VAPID_PRIVATE_KEY": "q"}, "MINSIDE_VAPID_PUBLIC_KEY"},
	}
	for _, tc := range tests {
		c, err := Load(env(tc.vars))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: refused: %v", tc.vars, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: want an error naming %s, got %v", tc.vars, tc.want, err)
		}
	}
}

func TestDBTimeout(t *testing.T) {
	c, err := Load(env(map[string]string{"MINSIDE_DB_TIMEOUT": "750ms"}))
	if err != nil || c.DBTimeout != 750*time.Millisecond || c.Validate() != nil {
		t.Fatalf("750ms: %v %v %v", c.DBTimeout, err, c.Validate())
	}
	if _, err := Load(env(map[string]string{"MINSIDE_DB_TIMEOUT": "0"})); err == nil {
		t.Fatal("a zero deadline was accepted")
	}
	c, _ = Load(env(map[string]string{"MINSIDE_DB_TIMEOUT": "5m"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MINSIDE_DB_TIMEOUT") {
		t.Fatalf("5m: %v", err)
	}
}

func TestRetentions(t *testing.T) {
	c, err := Load(env(map[string]string{"MINSIDE_AUDIT_RETENTION": "87600h", "MINSIDE_KEY_USE_RETENTION": "720h", "MINSIDE_DELIVERY_RETENTION": "48h"}))
	if err != nil || c.AuditRetention != 87600*time.Hour || c.KeyUseRetention != 720*time.Hour || c.DeliveryRetention != 48*time.Hour {
		t.Fatalf("retentions: %v %v %v, %v", c.AuditRetention, c.KeyUseRetention, c.DeliveryRetention, err)
	}
	if _, err := Load(env(map[string]string{"MINSIDE_AUDIT_RETENTION": "5y"})); err == nil {
		t.Fatal("a retention that is not a duration was accepted")
	}
}

func TestFilesStorage(t *testing.T) {
	c, err := Load(env(map[string]string{"MINSIDE_DATA_DIR": "/var/lib/minside"}))
	if err != nil || c.FilesDirOrDefault() != "/var/lib/minside/files" || c.S3Endpoint != "" {
		t.Fatalf("default files dir = %q (s3 %q), %v", c.FilesDirOrDefault(), c.S3Endpoint, err)
	}
	keyFile := filepath.Join(t.TempDir(), "s3-secret")
	if err := os.WriteFile(keyFile, []byte("s3-secret-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Load(env(map[string]string{"MINSIDE_S3_ENDPOINT": "https://s3.example.no", "MINSIDE_S3_BUCKET": "minside",
		"MINSIDE_S3_ACCESS_KEY": "minside", "MINSIDE_S3_SECRET_KEY_FILE": keyFile}))
	if err != nil || c.S3SecretKey != "s3-secret-from-file" {
		t.Fatalf("s3 secret from file = %q, %v", c.S3SecretKey, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("complete s3 config refused: %v", err)
	}
	c, _ = Load(env(map[string]string{"MINSIDE_S3_ENDPOINT": "s3.example.no"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MINSIDE_S3_ENDPOINT") || !strings.Contains(err.Error(), "MINSIDE_S3_BUCKET") {
		t.Fatalf("incomplete s3 config: %v", err)
	}
	if _, err := Load(env(map[string]string{"MINSIDE_UPLOAD_LIMIT": "5"})); err == nil || !strings.Contains(err.Error(), "MINSIDE_UPLOAD_LIMIT") {
		t.Fatalf("tiny upload limit: %v", err)
	}
}
