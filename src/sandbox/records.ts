/**
 * How much the ACR, GitHub, Log Analytics and Kubernetes fakes keep of their own records (calls, queries, task runs):
 * the newest 2,000 each. About 300 releases' worth — more than any test looks back — while a sandbox that
 * runs for hours (`npm start`, the in-flight bench) stops growing: unbounded, these records were the
 * host's whole heap growth past the first few hundred releases (issue #19). The Kubernetes fake's record
 * of Deployment changes (kubernetes/writes.ts) keeps 10,000: a storm's one-writer check reads all of it.
 */
export const FAKE_RECORDS = 2_000;
