const tf = require('@tensorflow/tfjs');
const { buildCifarResNet } = require('/work/wt-graph/dist/src/models/resnet');
const { planGraphTraining, NativeGraphTrainer } = require('/work/wt-graph/dist/src/engine/native/graph-train');
const { loadNative } = require('/work/wt-graph/dist/src/engine/native/addon');
(async () => {
  await tf.setBackend('cpu');
  const st = loadNative(); console.log(st.reason);
  const net = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [16, 16, 1], shortcut: 'A', seed: 1, bnMomentum: 0.9 });
  const plan = planGraphTraining(net);
  if (!plan.ok) { console.log(plan.reason); return; }
  console.log(plan.nodes.length, plan.params.length, plan.states.length);
  const tr = new NativeGraphTrainer(st.addon, net, plan, {});
  const B = 4; const x = Float32Array.from({ length: B * 256 }, (_, i) => Math.sin(i * 0.37));
  const y = Int32Array.from([1, 3, 5, 7]);
  const ref = tf.tidy(() => {
    const xb = tf.tensor(x, [B, 16, 16, 1]); const yb = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
    const vars = net.trainableWeights.map((w) => w.read());
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(yb, net.apply(xb, { training: true })), vars);
    return { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name].dataSync()) };
  });
  const got = tr.gradients(x, y, B);
  console.log('loss', got.loss, ref.loss);
  let worst = 0;
  got.grads.forEach((g, i) => { let d = 0, m = 1e-3; for (let k = 0; k < g.length; k++) { d = Math.max(d, Math.abs(g[k] - ref.grads[i][k])); m = Math.max(m, Math.abs(ref.grads[i][k])); } if (d / m > 1e-4) console.log(net.trainableWeights[i].name, d / m); worst = Math.max(worst, d / m); });
  console.log('worst', worst);
  console.log(tr.implInfo(B));
})();
