// A report sent without login has no outbox (that lives in the person's own database): when it
// found no network it is sent again, with the same key, when the network returns. The 'online'
// event can come before the page listens for it (the failure is shown, the network is back, and
// only then does the page start to wait), so a page that is already online when it starts to wait
// tries again after a pause as well. A send that fails again starts a new wait.

export const retryPause = 5000;

// waitForNetwork calls resend when win goes online, or after pause if it is online already; the
// function it returns stops the wait.
export function waitForNetwork(win, resend, pause = retryPause) {
  const again = () => resend();
  win.addEventListener('online', again);
  const timer = win.navigator.onLine ? win.setTimeout(again, pause) : null;
  return () => {
    win.removeEventListener('online', again);
    if (timer !== null) win.clearTimeout(timer);
  };
}
