#!/usr/bin/env python3
"""The PANE double chain (PANE-SPEC 4, rule sf, head logit, unit start mass, biases absorbed, eps 0) in
PyTorch on the CPU, float32: the side-by-side figure of issue 11 for `npm run bench -- --only batch`.

It computes what our float32 chain graph (src/engine/cpu-graph/) computes, op by op, on the same weights and
inputs, which scripts/bench/torch-export.ts writes from our ONNX loader (graph.json, weights/*.npy,
inputs/*.npy):

  forward    every value of the graph kept (the chain reads them)
  chain      from the logits down to the input, nodes in reverse topological order, the flux a tensor
             receives from all of its consumers summed before its producer is processed:
               Conv               G = Lin(|X|; |W|) + |b|;  T_X = |X| Lin*(T/G; |W|),  R_X = X Lin*(sigma R/G; W)
               GlobalAveragePool  the same with Lin the plane mean (its adjoint a broadcast)
               Relu, Flatten,     pass-through (reshaped)
               Reshape, Dropout,
               Identity
               Concat             split along the axis
               MaxPool            every window's mass to the taps equal to its maximum, shared equally
                                  (exact ties), accumulated back over overlapping windows
             divisions safe (ratio 0 where G <= 1e-30), E+ / E- of every affine output from G and z as
             result.ts does
  maps       per layer of the chain the channel sums of R (net) and P = (T + R) / 2 (positive chain), and at
             the input S = sum_c R, S_P, S_N

It writes OUT/<input stem>.npy (S at the input, float32 [H, W]) for every input and prints one JSON object:
per input the class, and the forward, chain and maps times in ms, wall clock and CPU time of the process (one
warm-up run before the first input, then --repeat runs of each input; the median is kept). The machine may be shared: the CPU
times are what compare across loads.

  /usr/bin/python3 scripts/bench/pytorch_chain.py --graph DIR/graph.json --out OUT [--threads N]
      [--repeat 1] INPUT.npy...
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

TINY = 1e-30  # the safe division of PANE-SPEC 2 and 4.6, as src/engine/cpu-graph/builder.ts
PASS_THROUGH = {"Relu", "Flatten", "Reshape", "Dropout", "Identity"}


def pairs(values):
    """ONNX pads [begin..., end...] of a 2-D window as PyTorch's symmetric padding (both sides must match)."""
    h0, w0, h1, w1 = values
    if (h0, w0) != (h1, w1):
        raise ValueError(f"asymmetric pads {values} are not supported here")
    return (h0, w0)


def safe_inverse(g):
    return torch.where(g > TINY, 1.0 / g, torch.zeros((), dtype=g.dtype))


class Graph:
    def __init__(self, path):
        with open(path) as f:
            spec = json.load(f)
        root = os.path.dirname(path)
        self.input = spec["input"]
        self.logits = spec["logits"]
        self.layers = spec["layers"]
        self.nodes = spec["nodes"]
        self.shapes = {k: tuple(v) for k, v in spec["shapes"].items()}
        self.weights = {
            name: torch.from_numpy(np.load(os.path.join(root, file)).astype(np.float32))
            for name, file in spec["initializers"].items()
        }
        # Weight variants are constants of the compiled graph too: computed once, not per image.
        self.abs_weights = {name: w.abs() for name, w in self.weights.items()}
        self.flipped = {}
        # Values >= 0 by construction (src/engine/cpu-graph/graph-facts.ts): |x| is x itself there.
        self.non_negative = set()
        for node in self.nodes:
            op = node["op"]
            if op not in PASS_THROUGH | {"Conv", "MaxPool", "Concat", "GlobalAveragePool"}:
                raise ValueError(f"{op}: this PyTorch chain covers the ops of SqueezeNet only")
            data = [i for i in node["inputs"] if i and i not in self.weights]
            if op == "Relu" or (
                op not in ("Conv", "GlobalAveragePool") and all(i in self.non_negative for i in data)
            ):
                self.non_negative.update(node["outputs"])

    # ---------------------------------------------------------------------------------------------------
    # forward

    def conv_args(self, node):
        a = node["attrs"]
        return dict(
            stride=tuple(a.get("strides", [1, 1])),
            padding=pairs(a.get("pads", [0, 0, 0, 0])),
            dilation=tuple(a.get("dilations", [1, 1])),
            groups=a.get("group", 1),
        )

    def pool_geometry(self, node, x_shape):
        """Kernel, strides and the begin / end pads that the outputs use (ceil_mode windows clipped)."""
        a = node["attrs"]
        kernel = a["kernel_shape"]
        strides = a.get("strides", [1, 1])
        pads = a.get("pads", [0, 0, 0, 0])
        out = self.shapes[node["outputs"][0]][2:]
        ends = [
            max(0, (out[i] - 1) * strides[i] + kernel[i] - x_shape[2 + i] - pads[i]) for i in range(2)
        ]
        return kernel, strides, pads[:2], ends

    def forward(self, x):
        v = {self.input: x}
        w = self.weights
        for node in self.nodes:
            op, ins, out = node["op"], node["inputs"], node["outputs"][0]
            a = node["attrs"]
            if op == "Conv":
                bias = w[ins[2]] if len(ins) > 2 and ins[2] else None
                v[out] = F.conv2d(v[ins[0]], w[ins[1]], bias, **self.conv_args(node))
            elif op == "Relu":
                v[out] = torch.relu(v[ins[0]])
            elif op == "MaxPool":
                kernel, strides, begin, end = self.pool_geometry(node, v[ins[0]].shape)
                padded = F.pad(v[ins[0]], (begin[1], end[1], begin[0], end[0]), value=float("-inf"))
                v[out] = F.max_pool2d(padded, kernel, strides)
            elif op == "Concat":
                v[out] = torch.cat([v[i] for i in ins], dim=a.get("axis", 1))
            elif op == "GlobalAveragePool":
                v[out] = v[ins[0]].mean(dim=(2, 3), keepdim=True)
            else:  # pass-through ops: the same elements in the output's shape
                v[out] = v[ins[0]].reshape(self.shapes[out])
        return v

    # ---------------------------------------------------------------------------------------------------
    # chain

    def head(self, logits):
        """PANE-SPEC 4.4, head 'logit', unit mass: T = 1 and R = sgn(l_t) at the target (sgn(0) = +1)."""
        flat = logits.reshape(-1)
        t = int(torch.argmax(flat))
        T = torch.zeros_like(flat)
        R = torch.zeros_like(flat)
        T[t] = 1.0
        R[t] = -1.0 if float(flat[t]) < 0 else 1.0
        return t, T.reshape(logits.shape), R.reshape(logits.shape)

    def adjoint_kernels(self, w_name):
        """|W| and W as the kernels of their stride-1 adjoint (a constant per model, computed on first use)."""
        if w_name not in self.flipped:
            flip = lambda w: w.flip(2, 3).transpose(0, 1).contiguous()
            self.flipped[w_name] = {False: flip(self.abs_weights[w_name]), True: flip(self.weights[w_name])}
        return self.flipped[w_name]

    def conv_step(self, node, v, T, R):
        x_name, w_name = node["inputs"][0], node["inputs"][1]
        x, z = v[x_name], v[node["outputs"][0]]
        W, absW = self.weights[w_name], self.abs_weights[w_name]
        args = self.conv_args(node)
        absX = x if x_name in self.non_negative else x.abs()
        G = F.conv2d(absX, absW, None, **args)
        if len(node["inputs"]) > 2 and node["inputs"][2]:
            G = G + self.abs_weights[node["inputs"][2]].reshape(1, -1, 1, 1)
        inv = safe_inverse(G)
        kT = T * inv
        kR = torch.where(z >= 0, R, -R) * inv
        # Lin*: for stride 1 the convolution with the adjoint kernel (in and out channels swapped, taps
        # rotated) and the complementary pads, as convAdjoint in src/engine/cpu-graph/bilinear.ts (PyTorch's
        # CPU conv_transpose2d is an order of magnitude slower); else the transposed convolution, with the
        # output padding that gives back the input's exact size.
        (sh, sw), (ph, pw), (dh, dw) = args["stride"], args["padding"], args["dilation"]
        kh, kw = W.shape[2:]
        complement = (dh * (kh - 1) - ph, dw * (kw - 1) - pw)
        if (sh, sw) == (1, 1) and args["groups"] == 1 and min(complement) >= 0:
            flipped = self.adjoint_kernels(w_name)
            adj = lambda k, signed: F.conv2d(
                k, flipped[signed], None, 1, complement, args["dilation"], 1
            )
        else:
            out_h, out_w = z.shape[2:]
            in_h, in_w = x.shape[2:]
            op = (
                in_h - ((out_h - 1) * sh - 2 * ph + dh * (kh - 1) + 1),
                in_w - ((out_w - 1) * sw - 2 * pw + dw * (kw - 1) + 1),
            )
            adj = lambda k, signed: F.conv_transpose2d(
                k,
                W if signed else absW,
                None,
                args["stride"],
                args["padding"],
                op,
                args["groups"],
                args["dilation"],
            )
        return G, absX * adj(kT, False), x * adj(kR, True)

    def gap_step(self, node, v, T, R):
        x_name = node["inputs"][0]
        x, z = v[x_name], v[node["outputs"][0]]
        absX = x if x_name in self.non_negative else x.abs()
        G = absX.mean(dim=(2, 3), keepdim=True)
        inv = safe_inverse(G) / (x.shape[2] * x.shape[3])
        kT = T.reshape(G.shape) * inv
        kR = torch.where(z >= 0, R, -R).reshape(G.shape) * inv
        return G, absX * kT, x * kR

    def maxpool_step(self, node, v, T, R):
        """Every tap equal to its window's maximum shares the window's mass (spec 4.3, 5.9)."""
        x, y = v[node["inputs"][0]], v[node["outputs"][0]]
        kernel, strides, begin, end = self.pool_geometry(node, x.shape)
        N, C, H, W = x.shape
        pad = (begin[1], end[1], begin[0], end[0])
        padded = F.pad(x, pad, value=float("nan"))  # padding never equals the maximum
        size = padded.shape[2:]
        taps = kernel[0] * kernel[1]
        windows = F.unfold(padded, kernel, stride=strides).reshape(N, C, taps, -1)
        winners = (windows == y.reshape(N, C, 1, -1)).to(x.dtype)
        share = winners * safe_inverse(winners.sum(dim=2, keepdim=True))
        both = torch.cat([T, R]).reshape(2 * N, C, 1, -1) * share.repeat(2, 1, 1, 1)
        back = F.fold(both.reshape(2 * N, C * taps, -1), size, kernel, stride=strides)
        back = back[:, :, begin[0] : begin[0] + H, begin[1] : begin[1] + W]
        return back[:N], back[N:]

    def chain(self, v):
        target, hT, hR = self.head(v[self.logits])
        received = {self.logits: [(hT, hR)]}
        settled = {}
        excitations = {}

        def flux_of(name):
            if name in settled:
                return settled[name]
            parts = received.get(name)
            if not parts:
                return None
            f = parts[0] if len(parts) == 1 else (sum(p[0] for p in parts), sum(p[1] for p in parts))
            settled[name] = f
            return f

        def give(name, T, R):
            received.setdefault(name, []).append((T, R))

        for node in reversed(self.nodes):
            op, ins, out = node["op"], node["inputs"], node["outputs"][0]
            f = flux_of(out)
            if f is None:
                continue
            T, R = f
            if op == "Conv" or op == "GlobalAveragePool":
                step = self.conv_step if op == "Conv" else self.gap_step
                G, tX, rX = step(node, v, T, R)
                z = v[out]
                # E+ and E- of the forward PANE from G and z, as src/engine/cpu-graph/result.ts.
                pos = torch.minimum(G, torch.clamp((G + z) / 2, min=0))
                excitations[out] = (pos, G - pos)
                give(ins[0], tX, rX)
            elif op == "MaxPool":
                give(ins[0], *self.maxpool_step(node, v, T, R))
            elif op == "Concat":
                axis = node["attrs"].get("axis", 1)
                sizes = [v[i].shape[axis] for i in ins]
                for name, t, r in zip(ins, T.split(sizes, axis), R.split(sizes, axis)):
                    give(name, t, r)
            else:
                shape = v[ins[0]].shape
                give(ins[0], T.reshape(shape), R.reshape(shape))
        return target, {name: flux_of(name) for name in self.layers}, excitations

    @staticmethod
    def maps(layers, input_name):
        """Per layer the channel sums of R and P; at the input S, S_P and S_N."""
        per_layer = {}
        for name, f in layers.items():
            if f is None or f[0].dim() != 4:
                continue
            T, R = f
            per_layer[name] = (R.sum(dim=1)[0], ((T + R) / 2).sum(dim=1)[0])
        T, R = layers[input_name]
        S = R.sum(dim=1)[0]
        St = T.sum(dim=1)[0]
        return S, (St + S) / 2, (St - S) / 2, per_layer


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--graph", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("inputs", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    g = Graph(a.graph)
    # Wall and CPU (all threads of the process) milliseconds between two (perf_counter, process_time) marks.
    ms = lambda m0, m1: ((m1[0] - m0[0]) * 1000, (m1[1] - m0[1]) * 1000)
    images = []
    with torch.inference_mode():
        for path in a.inputs:
            x = torch.from_numpy(np.load(path).astype(np.float32)).reshape(g.shapes[g.input])
            runs = []
            # One warm-up run before the first image (PyTorch's first calls allocate and pick kernels).
            for i in range((1 if not images else 0) + a.repeat):
                marks = [(time.perf_counter(), time.process_time())]
                v = g.forward(x)
                marks.append((time.perf_counter(), time.process_time()))
                target, layers, _ = g.chain(v)
                marks.append((time.perf_counter(), time.process_time()))
                S, _, _, _ = g.maps(layers, g.input)
                marks.append((time.perf_counter(), time.process_time()))
                if i > 0 or images:
                    runs.append([ms(marks[k], marks[k + 1]) for k in range(3)])
            stem = os.path.splitext(os.path.basename(path))[0]
            np.save(os.path.join(a.out, stem + ".npy"), S.numpy().astype(np.float32))
            med = [[statistics.median(r[k][c] for r in runs) for c in range(2)] for k in range(3)]
            phases = ("forward", "chain", "maps")
            image = {"input": path, "class": target}
            image.update({f"{p}Ms": med[k][0] for k, p in enumerate(phases)})
            image.update({f"{p}CpuMs": med[k][1] for k, p in enumerate(phases)})
            images.append(image)
    json.dump(
        {"torch": torch.__version__, "threads": torch.get_num_threads(), "images": images}, sys.stdout
    )
    print()


if __name__ == "__main__":
    main()
