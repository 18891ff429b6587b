// Prints one summary line at the end ("e2e: 12 passed, 0 failed, …") so `make test`
// logs show the outcome at a glance; the exit code comes from Playwright itself.
export default class SummaryReporter {
  constructor() { this.counts = { passed: 0, failed: 0, timedOut: 0, skipped: 0, interrupted: 0 }; this.failures = []; }
  printsToStdio() { return false; }
  onTestEnd(test, result) {
    // Count the final attempt only.
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    this.counts[result.status] = (this.counts[result.status] || 0) + 1;
    if (result.status === 'failed' || result.status === 'timedOut') this.failures.push(test.titlePath().filter(Boolean).join(' › '));
  }
  onEnd(result) {
    const c = this.counts;
    const failed = c.failed + c.timedOut;
    const secs = (result.duration / 1000).toFixed(1);
    for (const f of this.failures) console.log(`e2e FAILED: ${f}`);
    console.log(`e2e: ${c.passed} passed, ${failed} failed, ${c.skipped} skipped in ${secs} s — ${result.status === 'passed' ? 'OK' : 'FAIL'}`);
  }
}
