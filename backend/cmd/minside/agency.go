package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"minside/backend/internal/agency"
	"minside/backend/internal/apperr"
)

const agencyUsage = `Usage:
  minside agency create --slug <slug> --name <name> [--webhook-url <https url>] [--authority <kind>]...
  minside agency list
  minside agency authority grant --slug <slug> --kind guardian|power_of_attorney|ideas
  minside agency authority revoke --slug <slug> --kind guardian|power_of_attorney|ideas
  minside agency key rotate --slug <slug>
  minside agency key revoke --slug <slug> --prefix <prefix>
  minside agency webhook set --slug <slug> --url <https url>

An authority lets an agency say who represents whom: guardian (only the population register),
power_of_attorney (only the agency the municipality names for it). --authority may be repeated or
a comma list. Relations from an agency that lacks, or loses, the authority grant nothing.
The authority ideas makes an agency (the municipality's Innolab) the moderator of residents' ideas.

API keys and webhook secrets are printed once and stored only as a hash (keys) or never shown
again (secrets): copy them now.`

// agencyCmd runs the operator's agency commands against the configured database.
func agencyCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(agencyUsage)
	}
	verb, args := args[0], args[1:]
	if (verb == "key" || verb == "webhook" || verb == "authority") && len(args) > 0 {
		verb, args = verb+" "+args[0], args[1:]
	}
	fs := flag.NewFlagSet("agency "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	slug := fs.String("slug", "", "the agency's short name, e.g. bibliotek")
	name := fs.String("name", "", "the agency's display name")
	webhook := fs.String("webhook-url", "", "where signed webhooks go (https)")
	hookURL := fs.String("url", "", "where signed webhooks go (https)")
	prefix := fs.String("prefix", "", "the key's prefix, as agency list shows it")
	kind := fs.String("kind", "", "an authority: guardian, power_of_attorney or ideas")
	var authorityFlags []string
	fs.Func("authority", "an authority to grant at creation (repeatable, or a comma list)", func(v string) error {
		authorityFlags = append(authorityFlags, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n\n%s", err, agencyUsage)
	}
	need := func(flags ...string) error {
		for _, f := range flags {
			if fs.Lookup(f).Value.String() == "" {
				return fmt.Errorf("agency %s: --%s is required\n\n%s", verb, f, agencyUsage)
			}
		}
		return nil
	}
	var required []string
	switch verb {
	case "create":
		required = []string{"slug", "name"}
	case "list":
	case "key rotate":
		required = []string{"slug"}
	case "key revoke":
		required = []string{"slug", "prefix"}
	case "webhook set":
		required = []string{"slug", "url"}
	case "authority grant", "authority revoke":
		required = []string{"slug", "kind"}
	default:
		return fmt.Errorf("unknown agency command %q\n\n%s", verb, agencyUsage)
	}
	if err := need(required...); err != nil {
		return err
	}
	authorities, err := agency.ParseAuthorities(authorityFlags)
	if err != nil {
		return cliError(err)
	}

	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	db, err := openMigrated(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	// A webhook URL is judged by the same egress guard as delivery, when it is set.
	svc := agency.NewService(db, nil, agency.AllowPrivateWebhooks(cfg.WebhookAllowPrivate))

	switch verb {
	case "create":
		a, key, secret, err := svc.Create(ctx, *slug, *name, *webhook, authorities...)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "Created agency %s (%s).\n", a.Slug, a.Name)
		if len(authorities) > 0 {
			fmt.Fprintf(stdout, "Authority: %s\n", strings.Join(authorities, ", "))
		}
		fmt.Fprintf(stdout, "API key (shown once, store it now):\n%s\n", key.Key)
		if secret != "" {
			fmt.Fprintf(stdout, "Webhook signing secret (shown once):\n%s\n", secret)
		}
	case "list":
		return listAgencies(ctx, svc, stdout)
	case "key rotate":
		key, revoked, err := svc.RotateKey(ctx, *slug)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "New API key for %s (shown once, store it now):\n%s\n", *slug, key.Key)
		if len(revoked) > 0 {
			fmt.Fprintf(stdout, "Revoked: %s\n", strings.Join(revoked, ", "))
		}
	case "key revoke":
		if err := svc.RevokeKey(ctx, *slug, *prefix); err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "Revoked key %s of %s.\n", *prefix, *slug)
	case "webhook set":
		secret, err := svc.SetWebhook(ctx, *slug, *hookURL)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "Webhooks of %s go to %s.\nSigning secret (shown once):\n%s\n", *slug, *hookURL, secret)
	case "authority grant":
		if err := svc.GrantAuthority(ctx, *slug, *kind); err != nil {
			return cliError(err)
		}
		if *kind == agency.AuthorityIdeas {
			fmt.Fprintf(stdout, "%s now moderates ideas.\n", *slug)
			break
		}
		fmt.Fprintf(stdout, "%s may now write %s relations.\n", *slug, *kind)
	case "authority revoke":
		if err := svc.RevokeAuthority(ctx, *slug, *kind); err != nil {
			return cliError(err)
		}
		if *kind == agency.AuthorityIdeas {
			fmt.Fprintf(stdout, "%s no longer moderates ideas.\n", *slug)
			break
		}
		fmt.Fprintf(stdout, "%s may no longer write %s relations; the ones it wrote grant nothing from now on.\n", *slug, *kind)
	}
	return nil
}

func listAgencies(ctx context.Context, svc *agency.Service, stdout io.Writer) error {
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tNAME\tAUTHORITY\tWEBHOOK\tKEY\tCREATED\tLAST USED\tREVOKED")
	for _, l := range list {
		hook := "-"
		if l.Agency.WebhookURL != nil {
			hook = *l.Agency.WebhookURL
		}
		authority := "-"
		if len(l.Authorities) > 0 {
			authority = strings.Join(l.Authorities, ",")
		}
		if len(l.Keys) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t-\t-\n", l.Agency.Slug, l.Agency.Name, authority, hook)
		}
		for _, k := range l.Keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.Agency.Slug, l.Agency.Name, authority, hook, k.Prefix,
				k.CreatedAt.Format(time.RFC3339), timeOrDash(k.LastUsedAt), timeOrDash(k.RevokedAt))
		}
	}
	return tw.Flush()
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// cliError turns a domain error into a line an operator can act on.
func cliError(err error) error {
	ae, ok := apperr.As(err)
	if !ok {
		return err
	}
	if ae.Code == apperr.CodeNotFound {
		return errors.New("no such agency, key or authority")
	}
	var parts []string
	for _, f := range ae.Fields {
		parts = append(parts, "--"+flagName(strings.TrimPrefix(f.Pointer, "/"))+": "+f.Key)
	}
	if len(parts) == 0 {
		return err
	}
	return errors.New(strings.Join(parts, "; "))
}

func flagName(field string) string {
	switch field {
	case "webhookUrl":
		return "webhook-url"
	}
	return field
}
