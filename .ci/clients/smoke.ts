// Type-level smoke test of the TypeScript types generated from majlis's
// OpenAPI document (`.ci/api-clients`): the shapes an integrator writes
// against must compile under `tsc --strict`.
import type { components, paths } from "./majlis";

type Submission = components["schemas"]["CommentSubmission"];
type Accepted = components["schemas"]["Accepted"];
type Queue =
  paths["/api/v1/sites/{site}/moderation/queue"]["get"]["responses"][200]["content"]["application/json"];

export const submission: Submission = {
  name: "Layla",
  email: "layla@example.org",
  title: "A smoke test",
  body: "Written against the generated types.",
  accept_terms: true,
};

export function pendingIds(queue: Queue): string[] {
  return queue.items.filter((i) => i.status === "pending").map((i) => i.id);
}

export function isPublished(a: Accepted): boolean {
  return a.status === "published";
}
