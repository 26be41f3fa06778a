const t0 = Date.now();
require("/work/main/node_modules/@pulumi/pulumi");
const t1 = Date.now();
require("/work/main/scripts/lib/render");
const t2 = Date.now();
require("/work/main/components/thanosStack");
require("/work/main/infra/stack");
const t3 = Date.now();
const { renderStack } = require("/work/main/scripts/lib/render");
renderStack({ stack: "prod", program: () => require("/work/main/infra") }).then((r: { resources: unknown[] }) => {
  const t4 = Date.now();
  console.log({ pulumi: t1 - t0, renderLib: t2 - t1, components: t3 - t2, run: t4 - t3, n: r.resources.length });
});
