//! The SDG model: two linear models over text features and a small stacked model that weighs
//! their evidence with the text's likeness to each goal's official wording.
//!
//! For a text and a goal, the evidence is:
//! - how likely the goal is among all 17 (a multinomial model of what texts about each goal say),
//! - the goal's own binary model (trained on texts judged for that goal, including texts that
//!   looked like it but were judged not to address it),
//! - the text's similarity to the goal's official title and targets, and how that ranks,
//!
//! and the stacked model turns these into a probability, trained on held-out predictions.

use std::collections::HashMap;

use crate::features::{Sparse, Vectorizer, dot};

/// The goals.
pub const GOALS: usize = 17;
/// Evidence features per (text, goal) before the goal's own indicator.
pub const EVIDENCE: usize = 8;
/// Stacked features: the evidence, then one indicator per goal.
pub const STACKED: usize = EVIDENCE + GOALS;

const MAGIC: &[u8; 11] = b"BANYAN-SDG\n";
const FORMAT: u32 = 1;

/// One linear score per goal over sparse features.
#[derive(Debug, Clone, Default)]
pub struct Linear {
    pub weights: HashMap<u32, [f32; GOALS]>,
    pub bias: [f32; GOALS],
}

impl Linear {
    pub fn scores(&self, x: &Sparse) -> [f32; GOALS] {
        let mut out = self.bias;
        for (k, v) in x {
            if let Some(w) = self.weights.get(k) {
                for g in 0..GOALS {
                    out[g] += w[g] * v;
                }
            }
        }
        out
    }
}

/// A trained model.
#[derive(Debug, Clone)]
pub struct Model {
    pub vectorizer: Vectorizer,
    /// Multinomial: which goal a text is about.
    pub topic: Linear,
    /// One binary model per goal.
    pub per_goal: Linear,
    /// Weights of the stacked features, and the bias.
    pub stacker: [f32; STACKED],
    pub stacker_bias: f32,
    /// A goal is suggested from this probability.
    pub threshold: f32,
    /// The official text of each goal (title and targets), as vectors.
    pub goal_docs: Vec<Sparse>,
    /// What the training command recorded: data checksum, scores.
    pub metadata: String,
}

pub fn softmax(z: &[f32; GOALS]) -> [f32; GOALS] {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut out = [0.0; GOALS];
    let mut sum = 0.0;
    for g in 0..GOALS {
        out[g] = (z[g] - max).exp();
        sum += out[g];
    }
    for v in &mut out {
        *v /= sum;
    }
    out
}

pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// The evidence for every goal, from a text's topic probabilities, per-goal margins and
/// similarities to the goals' official texts.
pub fn evidence(topic: &[f32; GOALS], margins: &[f32; GOALS], sims: &[f32; GOALS]) -> [[f32; STACKED]; GOALS] {
    let mut out = [[0.0; STACKED]; GOALS];
    for g in 0..GOALS {
        let p = topic[g];
        let s = sims[g];
        let p_rank = topic.iter().filter(|&&q| q > p).count() as f32;
        let s_rank = sims.iter().filter(|&&q| q > s).count() as f32;
        let best_other = (0..GOALS).filter(|&k| k != g).map(|k| sims[k]).fold(f32::NEG_INFINITY, f32::max);
        let f = &mut out[g];
        f[0] = margins[g];
        f[1] = (p + 1e-6).ln();
        f[2] = p;
        f[3] = f32::from(u8::from(p_rank == 0.0));
        f[4] = p_rank;
        f[5] = s;
        f[6] = f32::from(u8::from(s_rank == 0.0));
        f[7] = s - best_other;
        f[EVIDENCE + g] = 1.0;
    }
    out
}

impl Model {
    /// Drops weights smaller than `relative` times the largest of their goal: most weights of a
    /// logistic model over rare n-grams are tiny, and without them the file is a fraction of
    /// the size for the same answers.
    pub fn prune(&mut self, relative: f32) {
        for linear in [&mut self.topic, &mut self.per_goal] {
            let mut max = [0.0f32; GOALS];
            for w in linear.weights.values() {
                for g in 0..GOALS {
                    max[g] = max[g].max(w[g].abs());
                }
            }
            for w in linear.weights.values_mut() {
                for g in 0..GOALS {
                    if w[g].abs() < relative * max[g] {
                        w[g] = 0.0;
                    }
                }
            }
            linear.weights.retain(|_, w| w.iter().any(|v| *v != 0.0));
        }
    }

    /// The vector of a text.
    pub fn vector(&self, text: &str) -> Sparse {
        self.vectorizer.transform(text)
    }

    /// The stacked features of a text for every goal.
    pub fn features(&self, x: &Sparse) -> [[f32; STACKED]; GOALS] {
        let topic = softmax(&self.topic.scores(x));
        let margins = self.per_goal.scores(x);
        let mut sims = [0.0; GOALS];
        for (g, d) in self.goal_docs.iter().enumerate().take(GOALS) {
            sims[g] = dot(x, d);
        }
        evidence(&topic, &margins, &sims)
    }

    /// The probability that the text addresses each goal (index 0 is goal 1).
    pub fn probabilities(&self, text: &str) -> [f32; GOALS] {
        let x = self.vector(text);
        let feats = self.features(&x);
        let mut out = [0.0; GOALS];
        for g in 0..GOALS {
            let z: f32 = feats[g].iter().zip(&self.stacker).map(|(f, w)| f * w).sum::<f32>() + self.stacker_bias;
            out[g] = sigmoid(z);
        }
        out
    }

    /// Writes the model in its compact binary form: identifiers and inverse document
    /// frequencies of every feature, then weights quantised to 16 bits with a scale per goal.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT);
        let mut keys: Vec<u32> = self.vectorizer.idf.keys().copied().collect();
        keys.sort_unstable();
        put_u32(&mut out, keys.len() as u32);
        let mut prev = 0u32;
        for k in &keys {
            put_varint(&mut out, k - prev);
            prev = *k;
        }
        for k in &keys {
            out.extend_from_slice(&quantise_idf(self.vectorizer.idf[k]).to_le_bytes());
        }
        let index: HashMap<u32, u32> = keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
        for linear in [&self.topic, &self.per_goal] {
            for g in 0..GOALS {
                let mut entries: Vec<(u32, f32)> = linear
                    .weights
                    .iter()
                    .filter(|(_, w)| w[g] != 0.0)
                    .filter_map(|(k, w)| index.get(k).map(|i| (*i, w[g])))
                    .collect();
                entries.sort_unstable_by_key(|(i, _)| *i);
                let max = entries.iter().map(|(_, w)| w.abs()).fold(0.0f32, f32::max);
                let scale = if max > 0.0 { max / f32::from(i16::MAX) } else { 1.0 };
                let entries: Vec<(u32, i16)> = entries
                    .into_iter()
                    .map(|(i, w)| (i, (w / scale).round() as i16))
                    .filter(|(_, q)| *q != 0)
                    .collect();
                put_f32(&mut out, scale);
                put_f32(&mut out, linear.bias[g]);
                put_u32(&mut out, entries.len() as u32);
                // Feature indices as gaps from the previous one, in a varint: mostly one byte.
                let mut prev = 0u32;
                for (i, _) in &entries {
                    put_varint(&mut out, i - prev);
                    prev = *i;
                }
                for (_, q) in &entries {
                    out.extend_from_slice(&q.to_le_bytes());
                }
            }
        }
        for w in &self.stacker {
            put_f32(&mut out, *w);
        }
        put_f32(&mut out, self.stacker_bias);
        put_f32(&mut out, self.threshold);
        put_u32(&mut out, self.metadata.len() as u32);
        out.extend_from_slice(self.metadata.as_bytes());
        out
    }

    /// Reads a model written by [`Model::to_bytes`]; `goal_texts` are the official texts of the
    /// 17 goals, in order.
    pub fn from_bytes(bytes: &[u8], goal_texts: &[String]) -> Result<Model, String> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err("not a Banyan SDG model".into());
        }
        let format = r.u32()?;
        if format != FORMAT {
            return Err(format!("model format {format}, this build reads {FORMAT}"));
        }
        let n = r.u32()? as usize;
        let mut keys = Vec::with_capacity(n);
        let mut prev = 0u32;
        for _ in 0..n {
            prev = prev.checked_add(r.varint()?).ok_or("a malformed feature list")?;
            keys.push(prev);
        }
        let mut idf = HashMap::with_capacity(n);
        for k in &keys {
            let q = u16::from_le_bytes(r.take(2)?.try_into().expect("two bytes"));
            idf.insert(*k, dequantise_idf(q));
        }
        let mut linears = [Linear::default(), Linear::default()];
        for linear in &mut linears {
            for g in 0..GOALS {
                let scale = r.f32()?;
                linear.bias[g] = r.f32()?;
                let count = r.u32()? as usize;
                let mut indices = Vec::with_capacity(count);
                let mut prev = 0u32;
                for _ in 0..count {
                    prev += r.varint()?;
                    indices.push(prev);
                }
                for i in indices {
                    let q = i16::from_le_bytes(r.take(2)?.try_into().expect("two bytes"));
                    let key = *keys.get(i as usize).ok_or("a weight for no feature")?;
                    linear.weights.entry(key).or_insert([0.0; GOALS])[g] = f32::from(q) * scale;
                }
            }
        }
        let mut stacker = [0.0; STACKED];
        for w in &mut stacker {
            *w = r.f32()?;
        }
        let stacker_bias = r.f32()?;
        let threshold = r.f32()?;
        let len = r.u32()? as usize;
        let metadata = String::from_utf8(r.take(len)?.to_vec()).map_err(|_| "metadata is not UTF-8")?;
        if r.at != bytes.len() {
            return Err("trailing bytes after the model".into());
        }
        let vectorizer = Vectorizer { idf };
        let goal_docs = goal_texts.iter().map(|t| vectorizer.transform(t)).collect();
        let [topic, per_goal] = linears;
        Ok(Model { vectorizer, topic, per_goal, stacker, stacker_bias, threshold, goal_docs, metadata })
    }
}

/// Inverse document frequencies lie in 1..=1+ln(documents); 16 bits over 1..17 lose nothing
/// that matters (steps of 0.00025).
const IDF_RANGE: f32 = 16.0;

fn quantise_idf(idf: f32) -> u16 {
    (((idf - 1.0) / IDF_RANGE).clamp(0.0, 1.0) * f32::from(u16::MAX)).round() as u16
}

fn dequantise_idf(q: u16) -> f32 {
    1.0 + f32::from(q) / f32::from(u16::MAX) * IDF_RANGE
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn put_varint(out: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|e| *e <= self.bytes.len()).ok_or("the model file is cut short")?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
    fn varint(&mut self) -> Result<u32, String> {
        let mut v = 0u32;
        for shift in (0..35).step_by(7) {
            let b = self.take(1)?[0];
            v |= u32::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err("a malformed number in the model".into())
    }
}
