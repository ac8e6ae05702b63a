//! L2-regularised logistic models, fitted as scikit-learn's `LogisticRegression` fits them:
//! minimise `½‖w‖² + C·Σ sᵢ·lossᵢ` (the bias is not regularised).

use std::collections::HashMap;

use banyan_classify::features::Sparse;

use crate::lbfgs::minimize;

const MAX_ITER: usize = 1000;
const TOL: f64 = 1e-5;

/// Sparse rows with their features renumbered from 0.
pub struct Matrix {
    pub rows: Vec<Vec<(u32, f32)>>,
    /// The bucket of each column.
    pub columns: Vec<u32>,
}

impl Matrix {
    pub fn new(rows: &[&Sparse]) -> Matrix {
        let mut index: HashMap<u32, u32> = HashMap::new();
        let mut columns = Vec::new();
        let rows = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|(k, v)| {
                        let i = *index.entry(*k).or_insert_with(|| {
                            columns.push(*k);
                            columns.len() as u32 - 1
                        });
                        (i, *v)
                    })
                    .collect()
            })
            .collect();
        Matrix { rows, columns }
    }
    pub fn dim(&self) -> usize {
        self.columns.len()
    }
}

fn log1pexp(x: f64) -> f64 {
    if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// A binary model: weights by column, and the bias.
pub fn binary(x: &Matrix, y: &[bool], weights: &[f64], c: f64) -> (Vec<f64>, f64) {
    let d = x.dim();
    let mut params = vec![0.0; d + 1];
    minimize(
        |p, g| {
            let (w, b) = (&p[..d], p[d]);
            let mut f = 0.5 * w.iter().map(|v| v * v).sum::<f64>();
            g[..d].copy_from_slice(w);
            g[d] = 0.0;
            for (i, row) in x.rows.iter().enumerate() {
                let z: f64 = b + row.iter().map(|(j, v)| w[*j as usize] * f64::from(*v)).sum::<f64>();
                let sign = if y[i] { 1.0 } else { -1.0 };
                f += c * weights[i] * log1pexp(-sign * z);
                let coef = c * weights[i] * (-sign) * sigmoid(-sign * z);
                for (j, v) in row {
                    g[*j as usize] += coef * f64::from(*v);
                }
                g[d] += coef;
            }
            f
        },
        &mut params,
        MAX_ITER,
        TOL,
    );
    let b = params[d];
    params.truncate(d);
    (params, b)
}

/// A multinomial model over `k` classes: weights by column and class, and a bias per class.
pub fn multinomial(x: &Matrix, y: &[usize], k: usize, c: f64) -> (Vec<f64>, Vec<f64>) {
    let d = x.dim();
    let mut params = vec![0.0; d * k + k];
    let mut z = vec![0.0; k];
    minimize(
        |p, g| {
            let (w, b) = p.split_at(d * k);
            let mut f = 0.5 * w.iter().map(|v| v * v).sum::<f64>();
            g[..d * k].copy_from_slice(w);
            g[d * k..].fill(0.0);
            for (i, row) in x.rows.iter().enumerate() {
                z.copy_from_slice(b);
                for (j, v) in row {
                    let base = *j as usize * k;
                    let v = f64::from(*v);
                    for (zc, wc) in z.iter_mut().zip(&w[base..base + k]) {
                        *zc += wc * v;
                    }
                }
                let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
                let lse = max + sum.ln();
                f += c * (lse - z[y[i]]);
                for (cl, zc) in z.iter_mut().enumerate() {
                    let prob = (*zc - lse).exp();
                    *zc = c * (prob - if cl == y[i] { 1.0 } else { 0.0 });
                }
                for (j, v) in row {
                    let base = *j as usize * k;
                    let v = f64::from(*v);
                    for (gc, coef) in g[base..base + k].iter_mut().zip(&z) {
                        *gc += coef * v;
                    }
                }
                for (gb, coef) in g[d * k..].iter_mut().zip(&z) {
                    *gb += coef;
                }
            }
            f
        },
        &mut params,
        MAX_ITER,
        TOL,
    );
    let bias = params[d * k..].to_vec();
    params.truncate(d * k);
    (params, bias)
}

/// A binary model over dense features.
pub fn dense_binary<const N: usize>(x: &[[f32; N]], y: &[bool], c: f64) -> ([f64; N], f64) {
    let mut params = vec![0.0; N + 1];
    minimize(
        |p, g| {
            let mut f = 0.5 * p[..N].iter().map(|v| v * v).sum::<f64>();
            g[..N].copy_from_slice(&p[..N]);
            g[N] = 0.0;
            for (row, yi) in x.iter().zip(y) {
                let z: f64 = p[N] + row.iter().zip(&p[..N]).map(|(v, w)| f64::from(*v) * w).sum::<f64>();
                let sign = if *yi { 1.0 } else { -1.0 };
                f += c * log1pexp(-sign * z);
                let coef = c * (-sign) * sigmoid(-sign * z);
                for (gj, v) in g[..N].iter_mut().zip(row) {
                    *gj += coef * f64::from(*v);
                }
                g[N] += coef;
            }
            f
        },
        &mut params,
        MAX_ITER,
        1e-7,
    );
    let mut w = [0.0; N];
    w.copy_from_slice(&params[..N]);
    (w, params[N])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_separable_feature_is_learnt() {
        let a: Sparse = vec![(1, 1.0)];
        let b: Sparse = vec![(2, 1.0)];
        let rows = [&a, &b, &a, &b];
        let m = Matrix::new(&rows);
        let (w, _) = binary(&m, &[true, false, true, false], &[1.0; 4], 10.0);
        let col = |bucket| m.columns.iter().position(|c| *c == bucket).unwrap();
        assert!(w[col(1)] > 1.0 && w[col(2)] < -1.0, "{w:?}");
        let (w, bias) = multinomial(&m, &[0, 1, 0, 1], 2, 10.0);
        let z = |bucket: u32, class: usize| w[col(bucket) * 2 + class] + bias[class];
        assert!(z(1, 0) > z(1, 1) && z(2, 1) > z(2, 0));
    }
}
