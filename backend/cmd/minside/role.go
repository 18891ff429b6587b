package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"minside/backend/internal/app"
	"minside/backend/internal/citizens"
	"minside/backend/internal/i18n"
	"minside/backend/internal/store"
)

const roleUsage = `Usage:
  minside role grant  --pid-file <file> --role translator --scope <lang>
  minside role grant  --pid -           --role agency_editor --scope <agency slug>   (number on stdin)
  minside role revoke --pid-file <file> --role <role> --scope <scope>
  minside role list   [--role <role>]

The national identity number is read from --pid-file, from stdin with --pid -, or from --pid <number>
(the last ends up in your shell history: prefer the other two). It is never printed; list shows
the masked number.
`

// Roles the portal knows; the scope of each is checked so a typo cannot grant a useless role.
const (
	roleTranslator   = "translator"
	roleAgencyEditor = "agency_editor"
)

// roleCommand grants, revokes and lists citizen roles (translator per language, agency editor per
// agency). stdin supplies the number for --pid -.
func roleCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(roleUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("role "+sub, flag.ContinueOnError)
	fs.SetOutput(stdout)
	pidFlag := fs.String("pid", "", "national identity number, or - to read it from stdin (avoid: shell history)")
	pidFile := fs.String("pid-file", "", "file holding the national identity number")
	role := fs.String("role", "", "translator or agency_editor")
	scope := fs.String("scope", "", "language code (translator) or agency slug (agency_editor)")
	databaseURL := fs.String("database-url", "", "sqlite:<path> or postgres://… (MINSIDE_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(roleUsage)
	}
	var overrides []string
	if *databaseURL != "" {
		overrides = append(overrides, "--database-url", *databaseURL)
	}
	cfg, err := loadConfig(getenv, overrides)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	cfg.SeedDemo = false
	log, err := app.NewLogger(cfg, io.Discard)
	if err != nil {
		return err
	}

	switch sub {
	case "grant", "revoke":
		if err := checkRole(*role, *scope); err != nil {
			return err
		}
		number, err := readPID(*pidFlag, *pidFile, stdin)
		if err != nil {
			return err
		}
		if *pidFlag != "" && *pidFlag != "-" {
			_, _ = fmt.Fprintln(stdout, "warning: --pid <number> is kept in your shell history; use --pid-file or --pid - next time")
		}
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		n, err := a.Citizens.Parse(number)
		if err != nil {
			return fmt.Errorf("role %s: not a valid national identity number", sub)
		}
		if sub == "grant" {
			c, err := a.Citizens.Ensure(ctx, a.DB, n, "", time.Now())
			if err != nil {
				return err
			}
			r := &citizens.Role{CitizenID: c.ID, Role: *role, Scope: *scope, GrantedAt: store.UTC(time.Now())}
			if _, err := a.DB.NewInsert().Model(r).On("CONFLICT (citizen_id, role, scope) DO NOTHING").Exec(ctx); err != nil {
				return fmt.Errorf("role grant: %w", err)
			}
			_, err = fmt.Fprintf(stdout, "Granted %s:%s to %s.\n", *role, *scope, n.String())
			return err
		}
		c, err := a.Citizens.Find(ctx, a.DB, n)
		if err != nil {
			return err
		}
		var removed int64
		if c != nil {
			res, err := a.DB.NewDelete().Model((*citizens.Role)(nil)).Where("citizen_id = ? AND role = ? AND scope = ?", c.ID, *role, *scope).Exec(ctx)
			if err != nil {
				return fmt.Errorf("role revoke: %w", err)
			}
			removed, _ = res.RowsAffected()
		}
		if removed == 0 {
			return fmt.Errorf("role revoke: %s does not have %s:%s", n.String(), *role, *scope)
		}
		_, err = fmt.Fprintf(stdout, "Revoked %s:%s from %s.\n", *role, *scope, n.String())
		return err
	case "list":
		a, err := app.New(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		var rows []struct {
			Role      string    `bun:"role"`
			Scope     string    `bun:"scope"`
			GrantedAt time.Time `bun:"granted_at"`
			Name      string    `bun:"name"`
			PIDMasked string    `bun:"pid_masked"`
		}
		q := a.DB.NewSelect().TableExpr("citizen_roles AS r").Join("JOIN citizens AS c ON c.id = r.citizen_id").
			ColumnExpr("r.role, r.scope, r.granted_at, c.name, c.pid_masked").OrderExpr("r.role, r.scope, c.name")
		if *role != "" {
			q = q.Where("r.role = ?", *role)
		}
		if err := q.Scan(ctx, &rows); err != nil {
			return fmt.Errorf("role list: %w", err)
		}
		for _, r := range rows {
			if _, err := fmt.Fprintf(stdout, "%-14s %-20s %-13s %s (granted %s)\n", r.Role, r.Scope, r.PIDMasked, r.Name, r.GrantedAt.Format("2006-01-02")); err != nil {
				return err
			}
		}
		_, err = fmt.Fprintf(stdout, "%d role(s)\n", len(rows))
		return err
	default:
		return errors.New(roleUsage)
	}
}

func checkRole(role, scope string) error {
	switch role {
	case roleTranslator:
		if scope == i18n.Source || !isLanguage(scope) {
			return fmt.Errorf("role: translator scope must be a language to translate into (not %s), got %q", i18n.Source, scope)
		}
	case roleAgencyEditor:
		if scope == "" {
			return errors.New("role: agency_editor needs --scope <agency slug>")
		}
	default:
		return fmt.Errorf("role: unknown role %q (translator or agency_editor)", role)
	}
	return nil
}

func isLanguage(code string) bool {
	for _, l := range i18n.Languages() {
		if l.Code == code {
			return true
		}
	}
	return false
}

// readPID takes the number from a file, from stdin ("-") or from the flag itself, trimmed.
func readPID(flagValue, file string, stdin io.Reader) (string, error) {
	switch {
	case file != "" && flagValue != "":
		return "", errors.New("role: give either --pid or --pid-file")
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("role: read --pid-file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	case flagValue == "-":
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("role: read stdin: %w", err)
		}
		return strings.TrimSpace(line), nil
	case flagValue != "":
		return flagValue, nil
	}
	return "", errors.New("role: the person's number is needed: --pid-file <file> or --pid -")
}
