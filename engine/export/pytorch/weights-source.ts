/**
 * load_weights.py: safetensors read and written with the Python standard library and torch alone
 * (struct, json, torch.frombuffer), so an export needs nothing beyond PyTorch; and the loading of
 * CNN Studio's weights into the exported module.
 *
 * CNN Studio keeps no batch counter, so the files hold no `num_batches_tracked`: the loader keeps
 * the module's own (zero) counters and loads everything else with `strict=True`, so a missing,
 * extra or mis-shaped tensor is still an error. Written files leave the counters out as well and
 * hold float32 only, so CNN Studio can read them back.
 */
export const WEIGHTS_SOURCE = `"""Reads and writes safetensors files with the Python standard library and torch alone, and loads
CNN Studio's weights into the exported model.

    from model import Model
    from load_weights import load_weights
    model = load_weights(Model(), 'weights.safetensors').eval()

Run it as a script to check an export: python3 load_weights.py [weights.safetensors]
"""
import json
import os
import struct
import sys

import torch

# safetensors' dtype names.
DTYPES = {
    'F64': torch.float64, 'F32': torch.float32, 'F16': torch.float16, 'BF16': torch.bfloat16,
    'I64': torch.int64, 'I32': torch.int32, 'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}
# The buffers CNN Studio does not keep; the model's own values stand.
SKIPPED_SUFFIX = 'num_batches_tracked'


def _check_byte_order():
    if sys.byteorder != 'little':
        raise RuntimeError('safetensors stores little-endian bytes; this reader supports little-endian machines only')


def read_safetensors(path):
    """The tensors of a safetensors file as {name: tensor}, in file order, and its metadata {key: text}."""
    _check_byte_order()
    with open(path, 'rb') as file:
        data = file.read()
    if len(data) < 8:
        raise ValueError(f'{path} is too short to be a safetensors file')
    (header_size,) = struct.unpack('<Q', data[:8])
    if 8 + header_size > len(data):
        raise ValueError(f'{path}: the header runs past the end of the file')
    header = json.loads(data[8:8 + header_size].decode('utf-8'))
    metadata = header.pop('__metadata__', None) or {}
    start = 8 + header_size
    tensors = {}
    for name, info in header.items():
        dtype = DTYPES.get(info['dtype'])
        if dtype is None:
            raise ValueError(f'{path}: tensor {name} has dtype {info["dtype"]}, which this reader does not know')
        begin, end = info['data_offsets']
        shape = info['shape']
        count = 1
        for dim in shape:
            count *= dim
        size = torch.empty((), dtype=dtype).element_size()
        if not 0 <= begin <= end <= len(data) - start or end - begin != count * size:
            raise ValueError(f'{path}: tensor {name} has offsets {begin}..{end}, which do not fit its shape {shape} or the file')
        if count == 0:
            tensors[name] = torch.empty(shape, dtype=dtype)
        else:
            # bytearray: a private, writable copy the tensor keeps alive.
            tensors[name] = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=dtype).reshape(shape)
    return tensors, metadata


def _tensor_bytes(tensor):
    """A contiguous CPU tensor's bytes: through NumPy when PyTorch has it, else through torch alone."""
    if tensor.numel() == 0:
        return b''
    try:
        return tensor.numpy().tobytes()
    except (RuntimeError, TypeError):  # no NumPy, or a dtype NumPy lacks (bfloat16)
        return bytes(tensor.reshape(-1).view(torch.uint8).tolist())


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (any device; stored contiguous, on the CPU) and optional {key: text} metadata."""
    _check_byte_order()
    header = {}
    if metadata:
        header['__metadata__'] = {str(key): str(value) for key, value in metadata.items()}
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().to('cpu').contiguous()
        if tensor.dtype not in NAMES:
            raise ValueError(f'tensor {name} has dtype {tensor.dtype}, which safetensors cannot hold here')
        raw = _tensor_bytes(tensor)
        header[name] = {'dtype': NAMES[tensor.dtype], 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)  # the data starts 8-byte aligned, as the reference implementation writes
    with open(path, 'wb') as file:
        file.write(struct.pack('<Q', len(text)))
        file.write(text)
        for chunk in chunks:
            file.write(chunk)


def load_weights(model, path):
    """Loads a CNN Studio weights file into the model (strict: every tensor present, none extra, same
    shapes) and returns the model. BatchNorm's num_batches_tracked, which CNN Studio does not keep,
    keeps the model's own value."""
    tensors, _ = read_safetensors(path)
    own = model.state_dict()
    for name, value in own.items():
        if name.endswith(SKIPPED_SUFFIX) and name not in tensors:
            tensors[name] = value
    for name, tensor in tensors.items():
        if name in own and tuple(tensor.shape) != tuple(own[name].shape):
            raise ValueError(f'{path}: {name} is {list(tensor.shape)} but the model needs {list(own[name].shape)}')
    model.load_state_dict(tensors, strict=True)
    return model


def save_weights(model, path, metadata=None):
    """Writes the model's tensors as float32 under their state_dict names, as CNN Studio reads them
    (num_batches_tracked left out)."""
    state = {name: tensor.float() for name, tensor in model.state_dict().items() if not name.endswith(SKIPPED_SUFFIX)}
    write_safetensors(path, state, {'format': 'pt', **(metadata or {})})


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from model import INPUT_SHAPE, Model

    weights = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), 'weights.safetensors')
    network = load_weights(Model(), weights).eval()
    count = sum(parameter.numel() for parameter in network.parameters())
    with torch.no_grad():
        output = network(torch.zeros(2, *INPUT_SHAPE))
    print(f'{type(network).__name__}: {count:,} parameters loaded from {weights}; '
          f'a batch of 2 x {"x".join(map(str, INPUT_SHAPE))} gives {list(output.shape)}')
`;
