package main

import (
	"fmt"
	"io"

	"minside/backend/internal/push"
)

// vapidKeys prints a new VAPID key pair as environment lines for production configuration.
// Rotating the pair invalidates every browser's subscription: they must subscribe again.
func vapidKeys(stdout io.Writer) error {
	k, err := push.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "MINSIDE_VAPID_PUBLIC_KEY=%s\nMINSIDE_VAPID_PRIVATE_KEY=%s\n", k.PublicKey, k.PrivateKey)
	return err
}
