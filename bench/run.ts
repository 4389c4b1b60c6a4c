// `npm run bench`: prints figures; it never fails on time. Each bench is imported only when it
// runs, so the validation figures (peak RSS included) are not inflated by the others' modules.

const { benchValidate } = await import("./validate.js");
const validation = await benchValidate();
console.log(
  `validate: ${validation.manifests} manifests in ${validation.ms} ms warm, ${validation.firstCallMs} ms on the first call of a process, peak RSS ${validation.peakRssMb} MB (target: < 1,000 ms, < 200 MB)`,
);

const { benchPullRequestCost } = await import("./github-requests.js");
console.log("GitHub requests per pull_request event (installation token, check run create + update, config, tree, blobs):");
for (const cost of await benchPullRequestCost([1, 20, 200])) {
  console.log(
    `  ${String(cost.manifests).padStart(3)} manifests: ${cost.coldRequests} the very first time, ${cost.newProcessRequests} from a new process (shared cache) and ${cost.warmRequests} from a warm one when one manifest changed`,
  );
}

const { benchPlan } = await import("./plan.js");
const plan = await benchPlan(200);
console.log(
  `plan: ${plan.applications} unchanged applications → ${plan.portalRequests} Portal requests (pages of 100), ${plan.actions} actions, planning CPU ${plan.planCpuMs.toFixed(1)} ms, whole plan ${plan.planWallMs.toFixed(0)} ms wall`,
);
