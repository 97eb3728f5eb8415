// Validates Kubernetes manifests (multi-document YAML files) against
// Kubernetes' OpenAPI schemas as the npm package kubernetes-models carries
// them: each object must be of a known apiVersion/kind and pass its model's
// validate() (types, required fields, enums, formats).  The models'
// validators let unknown fields through.
// usage: node validate.mjs FILE...   (exit 1 on the first invalid file)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const groups = new Map([
  ["v1", "kubernetes-models/v1"],
  ["apps/v1", "kubernetes-models/apps/v1"],
]);

let bad = 0, count = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const [i, doc] of docs.entries()) {
    const where = `${file}: document ${i + 1}`;
    if (doc.errors.length) {
      console.error(`${where}: YAML: ${doc.errors[0].message}`);
      bad++;
      continue;
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    const mod = groups.get(obj.apiVersion);
    if (!mod) {
      console.error(`${where}: unknown apiVersion '${obj.apiVersion}'`);
      bad++;
      continue;
    }
    let Model;
    try {
      Model = (await import(`${mod}/${obj.kind}`))[obj.kind];
    } catch {
      console.error(`${where}: unknown kind '${obj.kind}' in ${obj.apiVersion}`);
      bad++;
      continue;
    }
    try {
      new Model(obj).validate();
      count++;
      console.log(`ok ${where}: ${obj.kind}/${obj.metadata?.name}`);
    } catch (e) {
      console.error(`${where}: ${obj.kind}/${obj.metadata?.name}: ${e.message}`);
      bad++;
    }
  }
}
console.log(`${count} objects valid, ${bad} invalid`);
process.exit(bad ? 1 : 0);
