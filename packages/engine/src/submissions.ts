/**
 * Submission digests for run idempotency, kept in pages so an insert copies one small page rather
 * than a thousand-key record. The state remembers the last SUBMISSION_PAGES × SUBMISSION_PAGE_SIZE
 * (between 900 and 1000) submissions; an older submissionId is treated as new.
 */
export interface SubmissionRecord {
  digest: string;
  runId: string;
}

export type SubmissionPages = Record<string, SubmissionRecord>[];

export const SUBMISSION_PAGE_SIZE = 100;
export const SUBMISSION_PAGES = 10;

export function findSubmission(pages: SubmissionPages, submissionId: string): SubmissionRecord | undefined {
  for (let i = pages.length - 1; i >= 0; i--) {
    const hit = pages[i]![submissionId];
    if (hit !== undefined && Object.prototype.hasOwnProperty.call(pages[i], submissionId)) return hit;
  }
  return undefined;
}

export function recordSubmission(pages: SubmissionPages, submissionId: string, record: SubmissionRecord): SubmissionPages {
  const last = pages[pages.length - 1];
  if (last !== undefined && Object.keys(last).length < SUBMISSION_PAGE_SIZE) {
    return [...pages.slice(0, -1), { ...last, [submissionId]: record }];
  }
  const next = [...pages, { [submissionId]: record }];
  return next.length > SUBMISSION_PAGES ? next.slice(next.length - SUBMISSION_PAGES) : next;
}
