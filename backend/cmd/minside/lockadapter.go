package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"minside/backend/internal/doors"
	"minside/backend/internal/lockadapter"
)

const lockAdapterUsage = `Usage:
  minside lock-adapter --tls-cert <file> --tls-key <file> (--portal-key <key> | --portal-jwks <file or https url>)
                       (--doors <id,id…> | --doors-file <file>) [--addr :8443] [--key lock-adapter.key]
                       [--output log | --output exec --exec "<command> [args]"]

The reference lock adapter (docs/lock-adapter.md). It verifies the portal's door tokens and drives
the lock through the output: "log" prints "open <door>"; "exec" runs the command with the door as
its last argument (a GPIO or relay tool). --key holds its own signing key (created when missing);
its public half, printed at start, is what the operator gives "minside facility lock set".`

// lockAdapterCmd runs the reference lock adapter until ctx ends.
func lockAdapterCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("lock-adapter", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", ":8443", "listen address")
	certFile := fs.String("tls-cert", "", "TLS certificate (PEM)")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	signingKey := fs.String("key", "lock-adapter.key", "the adapter's Ed25519 signing key file (created when missing)")
	portalKey := fs.String("portal-key", "", "the portal's door token public key (base64 or PEM)")
	portalJWKS := fs.String("portal-jwks", "", "the portal's door token keys as a JWKS: a file or an https URL")
	doorList := fs.String("doors", "", "the doors it drives, by the agency's external id, comma-separated")
	doorsFile := fs.String("doors-file", "", "a file with one door id per line")
	output := fs.String("output", "log", "log or exec")
	execLine := fs.String("exec", "", "with --output exec: the command to run (the door is appended)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n\n%s", err, lockAdapterUsage)
	}
	if *certFile == "" || *keyFile == "" {
		return fmt.Errorf("lock-adapter: --tls-cert and --tls-key are required: the portal speaks https only\n\n%s", lockAdapterUsage)
	}
	portalKeys, err := loadPortalKeys(ctx, *portalKey, *portalJWKS)
	if err != nil {
		return err
	}
	doorIDs, err := loadDoorIDs(*doorList, *doorsFile)
	if err != nil {
		return err
	}
	var out lockadapter.Output
	switch *output {
	case "log":
		out = lockadapter.NewLogOutput(stdout)
	case "exec":
		fields := strings.Fields(*execLine)
		if len(fields) == 0 {
			return errors.New("lock-adapter: --output exec needs --exec \"<command>\"")
		}
		out = lockadapter.NewExecOutput(fields[0], fields[1:]...)
	default:
		return fmt.Errorf("lock-adapter: unknown --output %q (log or exec)", *output)
	}
	key, err := lockadapter.LoadOrCreateKey(*signingKey)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))
	adapter := lockadapter.New(lockadapter.Config{PortalKeys: portalKeys, Key: key, Doors: doorIDs, Output: out, Log: log})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("lock-adapter: %w", err)
	}
	srv := &http.Server{Handler: adapter.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second}
	fmt.Fprintf(stdout, "lock adapter on https://%s for %s\npublic key: %s\n", ln.Addr(), strings.Join(doorIDs, ", "),
		doors.EncodePublicKey(key.Public().(ed25519.PublicKey)))
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, *certFile, *keyFile) }()
	select {
	case err := <-errc:
		return fmt.Errorf("lock-adapter: %w", err)
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	}
}

func loadPortalKeys(ctx context.Context, key, jwks string) ([]ed25519.PublicKey, error) {
	switch {
	case key != "" && jwks != "":
		return nil, errors.New("lock-adapter: give --portal-key or --portal-jwks, not both")
	case key != "":
		k, err := doors.ParsePublicKey(key)
		if err != nil {
			return nil, fmt.Errorf("lock-adapter: --portal-key: %w", err)
		}
		return []ed25519.PublicKey{k}, nil
	case jwks != "":
		client := &http.Client{Timeout: 10 * time.Second}
		return lockadapter.LoadJWKS(ctx, jwks, client)
	}
	return nil, lockadapter.ErrNoPortalKey
}

func loadDoorIDs(list, file string) ([]string, error) {
	text := strings.ReplaceAll(list, ",", "\n")
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("lock-adapter: --doors-file: %w", err)
		}
		text += "\n" + string(data)
	}
	var ids []string
	for _, line := range strings.Split(text, "\n") {
		if id := strings.TrimSpace(line); id != "" && !strings.HasPrefix(id, "#") {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("lock-adapter: no doors (--doors or --doors-file)")
	}
	return ids, nil
}
