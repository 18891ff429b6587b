package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"minside/backend/internal/apperr"
	"minside/backend/internal/doors"
)

const facilityUsage = `Usage:
  minside facility lock set --agency <slug> --facility <external id> --url <https url> --public-key <key>
  minside facility lock unset --agency <slug> --facility <external id>
  minside facility lock list
  minside facility lock portal-key

A facility's lock adapter receives the portal's door tokens for its doors (docs/lock-adapter.md).
--public-key is the ADAPTER's Ed25519 public key (base64 of 32 bytes, or PEM): the portal believes
"opened" and the adapter's manifest only when signed with it. portal-key prints the PORTAL's public
key (a JWKS) that adapters verify door tokens with: give it to the lock vendor.`

// facilityCmd runs the operator's facility commands against the configured database.
func facilityCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "lock" {
		return errors.New(facilityUsage)
	}
	verb, args := args[1], args[2:]
	fs := flag.NewFlagSet("facility lock "+verb, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	agencySlug := fs.String("agency", "", "the agency's slug, e.g. bibliotek")
	facility := fs.String("facility", "", "the agency's external id of the facility")
	adapterURL := fs.String("url", "", "the adapter's base URL (https)")
	publicKey := fs.String("public-key", "", "the adapter's Ed25519 public key")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w\n\n%s", err, facilityUsage)
	}
	var required []string
	switch verb {
	case "set":
		required = []string{"agency", "facility", "url", "public-key"}
	case "unset":
		required = []string{"agency", "facility"}
	case "list":
	case "portal-key":
		return printPortalKey(getenv, stdout)
	default:
		return fmt.Errorf("unknown facility command %q\n\n%s", "lock "+verb, facilityUsage)
	}
	for _, f := range required {
		if fs.Lookup(f).Value.String() == "" {
			return fmt.Errorf("facility lock %s: --%s is required\n\n%s", verb, f, facilityUsage)
		}
	}

	db, err := openMigrated(ctx, getenv)
	if err != nil {
		return err
	}
	defer db.Close()
	adapters := doors.NewAdapters(db)
	switch verb {
	case "set":
		if _, err := adapters.Set(ctx, *agencySlug, *facility, *adapterURL, *publicKey, time.Now()); err != nil {
			return facilityError(err)
		}
		fmt.Fprintf(stdout, "The doors of %s/%s open through %s.\n", *agencySlug, *facility, *adapterURL)
	case "unset":
		if err := adapters.Unset(ctx, *agencySlug, *facility); err != nil {
			return facilityError(err)
		}
		fmt.Fprintf(stdout, "%s/%s has no lock adapter now.\n", *agencySlug, *facility)
	case "list":
		list, err := adapters.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AGENCY\tFACILITY\tURL\tSTATUS\tCHECKED\tOUT OF ORDER\tLAST ERROR")
		for _, l := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l.AgencySlug, l.Facility, l.URL, l.Status,
				timeOrDash(l.CheckedAt), l.DoorsOutOfOrder, orDash(l.LastError))
		}
		return tw.Flush()
	}
	return nil
}

// printPortalKey prints the public half of the door token key (MINSIDE_DOOR_TOKEN_KEY) as a JWKS.
func printPortalKey(getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv, nil)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	issuer, err := doors.NewIssuer([]byte(cfg.DoorTokenKey), 0)
	if err != nil {
		return fmt.Errorf("%w (MINSIDE_DOOR_TOKEN_KEY)", err)
	}
	jwks, err := issuer.JWKS()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", jwks)
	return nil
}

// facilityError turns a domain error into a line an operator can act on.
func facilityError(err error) error {
	ae, ok := apperr.As(err)
	if !ok {
		return err
	}
	if ae.Code == apperr.CodeNotFound {
		return errors.New("no such agency, facility or lock adapter")
	}
	msg := ""
	for _, f := range ae.Fields {
		switch f.Pointer {
		case "/url":
			msg += "--url: must be an https URL without user, query or fragment; "
		case "/publicKey":
			msg += "--public-key: " + doors.ErrBadPublicKey.Error() + "; "
		}
	}
	if msg == "" {
		return err
	}
	return errors.New(msg[:len(msg)-2])
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
