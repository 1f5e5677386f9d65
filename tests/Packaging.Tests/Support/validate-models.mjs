// Validates Kubernetes objects (a JSON array on stdin) with the kubernetes-models packages in the folder given as
// the first argument; prints a JSON array of problems ([] when all are valid). Run by NodeModels.cs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = join(process.argv[2], "node_modules");
// apiVersion group -> package holding its models (core groups are in kubernetes-models itself).
const packages = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "argoproj.io": "@kubernetes-models/argo-cd",
  "source.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "helm.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
  "kustomize.toolkit.fluxcd.io": "@kubernetes-models/flux-cd",
};
// Kinds checked elsewhere: IndexFund against its CRD schema by the test API server.
const skipped = new Set(["cryptoindex.io"]);

const objects = JSON.parse(readFileSync(0, "utf8"));
const problems = [];
for (const o of objects) {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
  if (skipped.has(group)) continue;
  const pkg = packages[group] ?? "kubernetes-models";
  const file = join(modules, pkg, group, version, `${o.kind}.js`); // core v1 has no group folder: join drops ""
  let Model;
  try {
    Model = (await import(pathToFileURL(file).href))[o.kind];
  } catch (e) {
    problems.push(`${o.apiVersion} ${o.kind} ${o.metadata?.name}: no model (${e.message})`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    problems.push(`${o.apiVersion} ${o.kind} ${o.metadata?.name}: ${e.message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
