import { expect } from 'chai';
import { diagCov, errorEllipse, innovation, mahalanobis2, newState, predict, update } from '../../src/workers/kalman.js';

const close = (a: number, b: number, tol = 1e-9) => expect(Math.abs(a - b), `${a} vs ${b}`).to.be.below(tol);

describe('constant-velocity Kalman filter (hand-checked)', () => {
  it('predicts state and covariance over dt with white-noise acceleration', () => {
    const x = newState(0, 0, 10, -5);
    const P = diagCov(100, 4);
    predict(x, P, 2, 3);
    // x + dt v
    close(x[0]!, 20);
    close(x[1]!, -10);
    // Pxx = 100 + dt² 4 + q dt³/3 = 100 + 16 + 8 = 124; Pxv = dt 4 + q dt²/2 = 8 + 6 = 14; Pvv = 4 + q dt = 10
    close(P[0]!, 124);
    close(P[2]!, 14);
    close(P[8]!, 14);
    close(P[10]!, 10);
    close(P[5]!, 124);
    close(P[1]!, 0);
  });

  it('moves halfway to a measurement as uncertain as the track, and halves its variance', () => {
    const x = newState(0, 0, 0, 0);
    const P = diagCov(100, 25);
    const v = innovation(x, P, 10, -20, { ee: 100, en: 0, nn: 100 });
    // S = 200 I, so d² = (100 + 400) / 200
    close(mahalanobis2(v), 2.5);
    update(x, P, v, 0);
    close(x[0]!, 5);
    close(x[1]!, -10);
    close(P[0]!, 50);
    close(P[5]!, 50);
    close(P[10]!, 25); // velocity untouched: no correlation with position yet
  });

  it('updates velocity from a velocity measurement', () => {
    const x = newState(0, 0, 100, 0);
    const P = diagCov(10, 9);
    update(x, P, innovation(x, P, 110, 0, { ee: 1, en: 0, nn: 1 }, 2), 2);
    close(x[2]!, 109); // K = 9 / 10
    close(P[10]!, 0.9);
    close(x[0]!, 0);
  });

  it('gives the error ellipse of the position block', () => {
    const circle = errorEllipse(diagCov(400, 1));
    close(circle.major, 20);
    close(circle.minor, 20);
    const P = diagCov(400, 1);
    P[5] = 100;
    const f = errorEllipse(P);
    close(f.major, 20);
    close(f.minor, 10);
    close(f.orientationDeg, 90); // major axis east-west
    const g = diagCov(250, 1);
    g[1] = g[4] = 150; // east and north errors correlated: major axis on the NE diagonal
    const h = errorEllipse(g);
    close(h.major, 20);
    close(h.minor, 10);
    close(h.orientationDeg, 45);
  });
});
