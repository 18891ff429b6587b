package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v4"

	"minside/backend/internal/push"
	"minside/backend/internal/store/storetest"
)

// The deployment files are checked here because CI has no container runtime: their structure,
// that every setting they use is documented, and that the binary the image holds starts and gets
// ready with the compose file's portal environment.

const repoRoot = "../../.."

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	ReadOnly    bool              `yaml:"read_only"`
	User        string            `yaml:"user"`
	Command     []string          `yaml:"command"`
	CapDrop     []string          `yaml:"cap_drop"`
	Environment map[string]string `yaml:"environment"`
	Secrets     []string          `yaml:"secrets"`
	Networks    yaml.Node         `yaml:"networks"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	return f
}

// portals are the services that run `minside serve`.
func portals(f composeFile) []string {
	var names []string
	for name, s := range f.Services {
		if slices.Equal(s.Command, []string{"serve"}) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

func TestComposeFileShape(t *testing.T) {
	f := readCompose(t)
	for _, name := range []string{"postgres", "migrate", "caddy"} {
		if _, ok := f.Services[name]; !ok {
			t.Errorf("compose has no %q service", name)
		}
	}
	if got := portals(f); len(got) != 2 {
		t.Fatalf("portal replicas = %v, want two services running serve", got)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(portals(f), "migrate") {
		s := f.Services[name]
		if !s.ReadOnly || s.User == "" || strings.HasPrefix(s.User, "0") || s.User == "root" || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: want read_only, a non-root user and cap_drop ALL; got %+v", name, s)
		}
		for env, value := range s.Environment {
			setting := strings.TrimSuffix(env, "_FILE")
			if !strings.Contains(string(readme), "`"+setting+"`") {
				t.Errorf("%s sets %s, which README.md's configuration table does not document", name, env)
			}
			if env == setting {
				continue
			}
			secret, ok := strings.CutPrefix(value, "/run/secrets/")
			if !ok || !slices.Contains(s.Secrets, secret) || f.Secrets[secret].File == "" {
				t.Errorf("%s: %s=%s must name a secret the service mounts and the file declares", name, env, value)
			}
		}
	}
	caddy, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range portals(f) {
		if !strings.Contains(string(caddy), p+":8080") {
			t.Errorf("the Caddyfile does not proxy to %s", p)
		}
	}
	if !strings.Contains(string(caddy), "health_uri /readyz") {
		t.Error("the Caddyfile does not take an unready replica out of the rotation")
	}
	proxy := f.Services[portals(f)[0]].Environment["MINSIDE_TRUSTED_PROXIES"]
	var caddyNet struct {
		Internal struct {
			Address string `yaml:"ipv4_address"`
		} `yaml:"internal"`
	}
	if node := f.Services["caddy"].Networks; node.Decode(&caddyNet) != nil || caddyNet.Internal.Address != proxy {
		t.Errorf("the portals trust %q as their proxy, but Caddy's address is %q", proxy, caddyNet.Internal.Address)
	}
}

func TestDockerfileShape(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms, users []string
	var healthcheck, build string
	sc := bufio.NewScanner(bytes.NewReader(b))
	var line string
	for sc.Scan() {
		part := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(part, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(part, `\`); ok {
			line += cont + " "
			continue
		}
		line += part
		fields := strings.Fields(line)
		line = ""
		if len(fields) == 0 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			froms = append(froms, fields[1])
		case "USER":
			users = append(users, fields[1])
		case "HEALTHCHECK":
			healthcheck = strings.Join(fields, " ")
		case "RUN":
			if strings.Contains(strings.Join(fields, " "), "go build") {
				build = strings.Join(fields, " ")
			}
		case "COPY":
			if strings.HasPrefix(fields[1], "--from") || strings.HasPrefix(fields[1], "--chown") {
				continue
			}
			for _, src := range fields[1 : len(fields)-1] {
				if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
					t.Errorf("COPY %s: not in the repository", src)
				}
			}
		}
	}
	if len(froms) < 3 {
		t.Errorf("stages = %v, want the PWA, the Go build and the runtime image", froms)
	}
	if last := froms[len(froms)-1]; !strings.Contains(last, "distroless/static") || !strings.HasSuffix(last, ":nonroot") {
		t.Errorf("runtime image %q: want a shell-less static image running as non-root", last)
	}
	if len(users) == 0 || users[len(users)-1] == "root" || strings.HasPrefix(users[len(users)-1], "0") {
		t.Errorf("USER = %v, want a non-root user last", users)
	}
	if !strings.Contains(healthcheck, `minside", "healthcheck"`) || !strings.Contains(healthcheck, `"/readyz"`) {
		t.Errorf("HEALTHCHECK %q does not ask the binary about /readyz", healthcheck)
	}
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "-tags pwa") {
		t.Errorf("the build %q must be static (CGO_ENABLED=0) with the PWA embedded (-tags pwa)", build)
	}
	ignore, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil || !strings.Contains(string(ignore), "node_modules") || !strings.Contains(string(ignore), ".git") {
		t.Errorf(".dockerignore must keep node_modules and .git out of the build context (%v)", err)
	}
}

// TestComposeEnvironmentStartsThePortal runs the portal with the compose file's environment,
// secrets written to files as Docker mounts them, and waits for /readyz.
func TestComposeEnvironmentStartsThePortal(t *testing.T) {
	f := readCompose(t)
	svc := f.Services[portals(f)[0]]
	keys, err := push.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "minside.db")
	if os.Getenv(storetest.PostgresDSNEnv) != "" {
		dbURL = storetest.PostgresURL(t)
	}
	secretDir := t.TempDir()
	secretValue := map[string]string{
		"database_url": dbURL, "oidc_client_secret": randomText(t), "pid_key": randomText(t),
		"door_token_key": randomText(t), "vapid_private_key": keys.PrivateKey,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	env := map[string]string{}
	for name, value := range svc.Environment {
		value = expandCompose(t, value, map[string]string{"MINSIDE_VAPID_PUBLIC_KEY": keys.PublicKey})
		if secret, ok := strings.CutPrefix(value, "/run/secrets/"); ok {
			path := filepath.Join(secretDir, secret)
			if err := os.WriteFile(path, []byte(secretValue[secret]+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			value = path
		}
		env[name] = value
	}
	env["MINSIDE_ADDR"] = addr
	env["MINSIDE_DATA_DIR"] = t.TempDir()
	getenv := func(name string) string { return env[name] }

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, getenv, &out); err != nil {
		t.Fatalf("migrate with the compose environment: %v\n%s", err, out.String())
	}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, &bytes.Buffer{}) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := run(ctx, []string{"healthcheck", "--addr", addr}, getenv, &out)
		if err == nil {
			break
		}
		select {
		case serveErr := <-done:
			t.Fatalf("serve with the compose environment stopped: %v", serveErr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve did not stop cleanly: %v", err)
	}
}

// expandCompose applies compose's ${NAME:-default} and ${NAME:?message} to one value: the
// default, or the test's value for a required name.
func expandCompose(t *testing.T, value string, required map[string]string) string {
	t.Helper()
	re := regexp.MustCompile(`\$\{([A-Z_]+)(:-|:\?)([^}]*)\}`)
	return re.ReplaceAllStringFunc(value, func(m string) string {
		parts := re.FindStringSubmatch(m)
		if parts[2] == ":-" {
			return parts[3]
		}
		v, ok := required[parts[1]]
		if !ok {
			t.Fatalf("compose requires %s; the test has no value for it", parts[1])
		}
		return v
	})
}

func randomText(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("test-%s", hex.EncodeToString(b))
}
