// What deploy/check found: failures (exit 1), warnings (printed, exit 0) and
// notes about what was skipped and why.

export class Report {
  constructor() {
    this.failures = [];
    this.warnings = [];
    this.passed = 0;
    this.last = Date.now();
  }

  // A failure names where (a file, or an overlay and an object) and what is wrong.
  fail(where, message) {
    this.failures.push(`${where}: ${message}`);
    console.log(`FAIL ${where}: ${message}`);
  }

  warn(where, message) {
    this.warnings.push(`${where}: ${message}`);
    console.log(`warn ${where}: ${message}`);
  }

  note(message) {
    console.log(`note ${message}`);
  }

  // One area of checks done: prints what it covered, counts it as passed when
  // it added no failure since `failuresBefore`.
  done(area, failuresBefore, summary) {
    const failed = this.failures.length - failuresBefore;
    if (failed === 0) this.passed++;
    const seconds = ((Date.now() - this.last) / 1000).toFixed(1);
    this.last = Date.now();
    console.log(`${failed === 0 ? "ok  " : "FAIL"} ${area}: ${summary}${failed ? ` (${failed} failed)` : ""} [${seconds} s]`);
  }
}
