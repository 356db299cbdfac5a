import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { formTag, sampleVerse, verseSampleSummary, type VerseSamplingContext } from "../src/text/verse-generation";
import { NgramIndex } from "../src/text/verse";
import { CharTokenizer } from "../src/text/tokenizer";
import type { Transformer } from "../src/models/transformer";

const SPRING_DAWN = ["春眠不覺曉", "處處聞啼鳥", "夜來風雨聲", "花落知多少"];
const tokenizer = CharTokenizer.fit([...SPRING_DAWN, "白日依山盡"], { tags: ["<5x4>", "<7x4>"] });

/** A stand-in model that writes `script` (token ids after the prompt) whatever it is given: logits put all mass on the next scripted token. */
function scriptedModel(promptLength: number, script: number[]): Transformer {
  const V = tokenizer.size;
  return {
    config: { contextLength: 80 },
    logits: (tokens: tf.Tensor2D) =>
      tf.tidy(() => {
        const t = tokens.shape[1];
        const next = script[Math.min(t - promptLength, script.length - 1)];
        const row = Array.from({ length: V }, (_, v) => (v === next ? 50 : 0));
        return tf.tensor3d(Array.from({ length: t }, () => row).flat(), [1, t, V]);
      }),
  } as unknown as Transformer;
}

function context(trainPoems: string[][]): VerseSamplingContext {
  return { tokenizer, temperature: 1, topK: 5, trainLines: new Set(trainPoems.flat()), ngramIndex: new NgramIndex(trainPoems, 6) };
}

test("sampleVerse asks with <bos> and the form tag, decodes, and checks form, rhyme and copying", () => {
  const poem = tokenizer.encodePoem(SPRING_DAWN, { tag: "<5x4>" });
  const model = scriptedModel(2, poem.slice(2));
  const s = sampleVerse(model, context([SPRING_DAWN]), { form: "5x4", seed: 1 });
  assert.deepEqual(s.ids, poem);
  assert.deepEqual(s.lines, SPRING_DAWN);
  assert.equal(s.wellFormed, true);
  assert.equal(s.rhymes, true);
  assert.equal(s.copiedLines, 4);
  assert.equal(s.sharedNgrams, 18);
  const fresh = sampleVerse(model, context([["白日依山盡"]]), { form: "5x4", seed: 1 });
  assert.equal(fresh.copiedLines, 0);
  assert.equal(fresh.sharedNgrams, 0);
  // Asked for a seven-character quatrain, the same poem is the wrong form.
  assert.equal(sampleVerse(scriptedModel(2, poem.slice(2)), context([]), { form: "7x4", seed: 1 }).wellFormed, false);
  assert.equal(formTag("7x8"), "<7x8>");
});

test("sampleVerse from a first line: the line is in the prompt and not counted as copied", () => {
  const poem = tokenizer.encodePoem(SPRING_DAWN, { tag: "<5x4>" });
  const promptLength = 2 + 6; // <bos> <5x4> 春眠不覺曉 <eol>
  const s = sampleVerse(scriptedModel(promptLength, poem.slice(promptLength)), context([[SPRING_DAWN[0]]]), { form: "5x4", seed: 3, firstLine: "春眠不覺曉" });
  assert.deepEqual(s.lines, SPRING_DAWN);
  assert.equal(s.firstLine, "春眠不覺曉");
  assert.equal(s.copiedLines, 0);
  assert.throws(() => sampleVerse(scriptedModel(0, [0]), context([]), { form: "7x4", seed: 1, firstLine: "春眠不覺曉" }), /has 5 characters; form 7x4 needs 7/);
  assert.throws(() => sampleVerse(scriptedModel(0, [0]), context([]), { form: "5x4", seed: 1, firstLine: "春眠不覺鵝" }), /outside the vocabulary: 鵝/);
});

test("a model that never stops is cut one line past the form and is not well-formed; the summary counts per form", () => {
  const c = tokenizer.id("春");
  const s = sampleVerse(scriptedModel(2, [c]), context([]), { form: "5x4", seed: 1 });
  assert.equal(s.ids.length, 2 + 4 * 6 + 5);
  assert.equal(s.wellFormed, false);
  const good = sampleVerse(scriptedModel(2, tokenizer.encodePoem(SPRING_DAWN, { tag: "<5x4>" }).slice(2)), context([]), { form: "5x4", seed: 2 });
  assert.deepEqual(verseSampleSummary([s, good]), [{ form: "5x4", samples: 2, wellFormed: 0.5, rhyming: 0.5, copiedLineFraction: 0, withSharedNgram: 0 }]);
});
