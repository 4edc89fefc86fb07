"""PyTorch peer for bench/train-throughput.ts: trains the same reference networks on the CPU.

It is a benchmark peer only; the product never runs Python. It reads JSON commands, one per
line on stdin, and answers each with one JSON line on stdout, so that the Node benchmark can
alternate rounds of PyTorch and of our backend on the same machine in one run:

  {"cmd": "hello"}
  {"cmd": "train", "model": "minimal", "data": "/tmp/x.bin", "labels": "/tmp/y.bin",
   "shape": [N, H, W, C], "classes": 10, "batch": 64, "warmup": 20, "steps": 200, "seed": 1}

The data files are the benchmark's own: float32 NHWC pixels and int32 labels. They are turned
into NCHW once, up front, as a PyTorch user would hold them.
"""

import json
import sys
import time

import numpy as np
import torch
from torch import nn


def scale(units, multiplier):
    return max(1, round(units * multiplier))


def minimal(channels, side, classes):
    # conv 8@5×5, max-pool 2, conv 16@5×5, max-pool 2, dense (src-main/engine/models/minimal.ts)
    out = ((side - 4) // 2 - 4) // 2
    return nn.Sequential(
        nn.Conv2d(channels, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * out * out, classes),
    )


def lenet5(channels, side, classes):
    # c1 6@5×5 'same', avg-pool, c3 16@5×5, avg-pool, c5 120@5×5, f6 84 (lenet5.ts)
    out = (side // 2 - 4) // 2 - 4
    return nn.Sequential(
        nn.Conv2d(channels, 6, 5, padding=2), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.ReLU(),
        nn.Flatten(), nn.Linear(120 * out * out, 84), nn.ReLU(), nn.Linear(84, classes),
    )


def vgg11(channels, side, classes, width):
    # Configuration A of Simonyan & Zisserman with every width scaled (vgg.ts)
    layers, c = [], channels
    for convs, filters in zip([1, 1, 2, 2, 2], [64, 128, 256, 512, 512]):
        for _ in range(convs):
            f = scale(filters, width)
            layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU()]
            c = f
        layers.append(nn.MaxPool2d(2))
        side //= 2
    hidden = scale(4096, width)
    layers += [nn.Flatten(), nn.Linear(c * side * side, hidden), nn.ReLU(),
               nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, classes)]
    return nn.Sequential(*layers)


def build(name, channels, side, classes, width):
    if name == 'minimal':
        return minimal(channels, side, classes)
    if name == 'lenet5':
        return lenet5(channels, side, classes)
    if name == 'vgg11':
        return vgg11(channels, side, classes, width)
    raise ValueError(f'unknown model {name}')


models = {}
datasets = {}


def load(cmd):
    key = cmd['data']
    if key not in datasets:
        n, h, w, c = cmd['shape']
        x = np.fromfile(cmd['data'], dtype=np.float32).reshape(n, h, w, c).transpose(0, 3, 1, 2)
        y = np.fromfile(cmd['labels'], dtype=np.int32).astype(np.int64)
        datasets[key] = (torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y))
    return datasets[key]


def train(cmd):
    x, y = load(cmd)
    n, h, _, c = cmd['shape']
    key = (cmd['model'], cmd['data'])
    if key not in models:
        torch.manual_seed(cmd.get('seed', 1))
        model = build(cmd['model'], c, h, cmd['classes'], cmd.get('width', 1.0))
        models[key] = (model, torch.optim.Adam(model.parameters(), lr=cmd.get('lr', 1e-3)))
    model, optimizer = models[key]
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    batch = cmd['batch']
    generator = torch.Generator().manual_seed(cmd.get('seed', 1))
    order = torch.randperm(n, generator=generator)
    total = cmd['warmup'] + cmd['steps']
    started = cpu_started = None
    losses, correct = [], 0
    for step in range(total):
        if step == cmd['warmup']:
            started = time.perf_counter()
            cpu_started = time.process_time()
        # Same work per batch as our training loop: gather a shuffled batch, train, and read
        # the loss and the number of correct predictions back.
        index = order[(step * batch + torch.arange(batch)) % n]
        xb, yb = x[index], y[index]
        optimizer.zero_grad(set_to_none=True)
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        correct += int((out.argmax(1) == yb).sum().item())
    seconds = time.perf_counter() - started
    cpu_ms = (time.process_time() - cpu_started) * 1000
    return {'imagesPerSecond': cmd['steps'] * batch / seconds, 'cpuMsPerStep': cpu_ms / cmd['steps'], 'lastLoss': losses[-1]}


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    torch.set_num_threads(threads)
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            if cmd['cmd'] == 'hello':
                answer = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'mkldnn': torch.backends.mkldnn.is_available()}
            elif cmd['cmd'] == 'train':
                answer = train(cmd)
            else:
                answer = {'error': f"unknown command {cmd['cmd']}"}
        except Exception as err:  # reported to the benchmark, which prints it
            answer = {'error': f'{type(err).__name__}: {err}'}
        sys.stdout.write(json.dumps(answer) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
