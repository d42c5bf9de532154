/**
 * Submission digests for run idempotency. Kept as pages of small arrays so recording one copies a
 * single page (≤ SUBMISSION_PAGE_SIZE pointers), never a thousand-key record. The state remembers
 * the last SUBMISSION_PAGES × SUBMISSION_PAGE_SIZE submissions (between 950 and 1000); an older
 * submissionId is treated as new (the log still has it).
 */
export interface SubmissionRecord {
  submissionId: string;
  digest: string;
  runId: string;
}

export type SubmissionPages = SubmissionRecord[][];

export const SUBMISSION_PAGE_SIZE = 50;
export const SUBMISSION_PAGES = 20;

export function findSubmission(pages: SubmissionPages, submissionId: string): SubmissionRecord | undefined {
  for (let p = pages.length - 1; p >= 0; p--) {
    const page = pages[p]!;
    for (let i = page.length - 1; i >= 0; i--) if (page[i]!.submissionId === submissionId) return page[i];
  }
  return undefined;
}

export function recordSubmission(pages: SubmissionPages, record: SubmissionRecord): SubmissionPages {
  const last = pages[pages.length - 1];
  if (last !== undefined && last.length < SUBMISSION_PAGE_SIZE) {
    const next = pages.slice();
    next[next.length - 1] = [...last, record];
    return next;
  }
  const next = [...pages, [record]];
  return next.length > SUBMISSION_PAGES ? next.slice(next.length - SUBMISSION_PAGES) : next;
}
