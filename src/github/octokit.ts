import type { ProbotOctokit } from "probot";

/** The authenticated installation client Probot hands to every event. */
export type InstallationOctokit = InstanceType<typeof ProbotOctokit>;

export interface RepoCoordinates {
  owner: string;
  repo: string;
}
