import { Kube } from "./lib/kube";
import { backfill, externalLabels } from "./lib/backfill";
import { BucketClient } from "./lib/bucket";
import { toolBinary } from "./tools/installed";
import { ADMIN_KUBECONFIG } from "./cluster/config";
(async () => {
  const kube = new Kube({ kubectl: toolBinary("kubectl"), kubeconfig: ADMIN_KUBECONFIG });
  const now = Math.floor(Date.now() / 1000);
  const end = Math.floor(now / 7200) * 7200 - 86400;
  const start = end - 6 * 86400;
  console.log(await externalLabels(kube, "monitoring", "prometheus-thanos-prometheus-0"));
  const t = Date.now();
  const blocks = await backfill(kube, "monitoring", "prometheus-thanos-prometheus-0", "probe", { metric: "e2e_backfill_value", series: 10, start, end, step: 60, seriesFactor: 1000, period: 3600 });
  console.log("blocks", blocks.length, (Date.now() - t) / 1000);
  const b = await BucketClient.open(kube, "monitoring", "thanos-versitygw", "thanos-e2e");
  console.log(await b.blocks());
  b.close();
})().catch(e => { console.error("FAIL", e.message); process.exit(1); });
