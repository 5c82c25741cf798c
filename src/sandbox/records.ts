/**
 * How much the ACR, GitHub and Log Analytics fakes keep of their own records (calls, queries, task runs):
 * the newest 2,000 each. About 300 releases' worth — more than any test looks back — while a sandbox that
 * runs for hours (`npm start`, the in-flight bench) stops growing: unbounded, these records were the
 * host's whole heap growth past the first few hundred releases (issue #19).
 */
export const FAKE_RECORDS = 2_000;
