const tf = require('@tensorflow/tfjs');
const { buildCifarResNet } = require('../dist/src/models/resnet');
const { planGraphTraining, NativeGraphTrainer } = require('../dist/src/engine/native/graph-train');
const { loadNative } = require('../dist/src/engine/native/addon');
(async () => {
  await tf.setBackend('cpu');
  const st = loadNative(); console.log(st.reason);
  const net = buildCifarResNet({ depth: 20, numClasses: 10, inputShape: [32, 32, 1], shortcut: 'A', seed: 1, bnMomentum: 0.9 });
  const plan = planGraphTraining(net);
  const tr = new NativeGraphTrainer(st.addon, net, plan, { optimizer: 'adam' });
  const B = 128; const NB = 16; const x = Float32Array.from({ length: NB * B * 1024 }, () => Math.random());
  const y = Int32Array.from({ length: NB * B }, () => Math.floor(Math.random() * 10));
  const steps = +(process.env.STEPS || 10);
  tr.step(x, y, 0, B, 1e-3, 0);
  const t0 = performance.now();
  let loss = 0; for (let i = 0; i < steps; i++) loss = tr.step(x, y, (i % NB) * B, B, 1e-3, 0);
  const s = (performance.now() - t0) / 1000;
  console.log(`threads ${st.addon.getNumThreads()}: ${(steps * B / s).toFixed(0)} samples/s, last loss ${loss}`);
})();
