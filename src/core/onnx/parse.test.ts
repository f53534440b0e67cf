import { describe, expect, it } from 'vitest';
import { buildModel, exposeTensors } from './build';
import { parseOnnx, SUBGRAPH_ATTR } from './parse';
import { onnx } from './proto';

const convModel = () =>
  buildModel({
    opset: 13,
    inputs: [{ name: 'x', shape: ['N', 2, 3, 3] }],
    outputs: [{ name: 'y', shape: ['N', 1, 3, 3] }],
    initializers: {
      w: { dims: [1, 2, 1, 1], data: [0.5, -1.25] },
      b: { dims: [1], data: [0.1] },
    },
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], name: 'conv', attrs: { kernel_shape: [1, 1] } },
      { op: 'LeakyRelu', inputs: ['c'], outputs: ['y'], attrs: { alpha: { f: 1 } } },
    ],
    metadata: { mean: '0.485,0.456,0.406' },
  });

describe('parseOnnx', () => {
  it('round-trips a model written by buildModel', () => {
    const g = parseOnnx(convModel());
    expect(g.opset).toBe(13);
    expect(g.inputs).toEqual([{ name: 'x', elemType: 'float32', shape: ['N', 2, 3, 3] }]);
    expect(g.outputs).toEqual([{ name: 'y', elemType: 'float32', shape: ['N', 1, 3, 3] }]);
    expect(g.nodes.map((n) => n.name)).toEqual(['conv', 'LeakyRelu_1']);
    expect(g.nodes[0]).toMatchObject({ opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['c'] });
    expect(g.nodes[0].attrs).toEqual({ kernel_shape: [1, 1] });
    // { f: 1 } is written as FLOAT and read back as the number 1.
    expect(g.nodes[1].attrs).toEqual({ alpha: 1 });
    // float32 raw_data read back exactly (the values are representable).
    expect(Array.from(g.initializers.get('w')!.data)).toEqual([0.5, -1.25]);
    expect(g.initializers.get('b')!.data[0]).toBeCloseTo(0.1, 7);
    expect(g.constTypes.get('w')).toBe('float32');
    expect(g.shapes.get('w')).toEqual([1, 2, 1, 1]);
    // Symbolic input shapes are not concrete, so parsing records no shape for x.
    expect(g.shapes.has('x')).toBe(false);
    expect(g.metadata).toEqual({ mean: '0.485,0.456,0.406' });
  });

  it('reads every attribute kind and normalises the ai.onnx domain', () => {
    const g = parseOnnx(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 4] }],
        outputs: [{ name: 'y' }],
        nodes: [
          {
            op: 'Custom',
            domain: 'ai.onnx',
            inputs: ['x'],
            outputs: ['y'],
            name: 'n',
            attrs: {
              i: 3,
              f: 0.25,
              ints: [1, -2],
              floats: [0.5, 1.5],
              forcedFloats: { floats: [1, 2] },
              s: 'SAME_UPPER',
              t: { tensor: { dims: [2], data: [7, 8], elemType: 'int64' } },
            },
          },
        ],
      }),
    );
    const n = g.nodes[0];
    expect(n.domain).toBe('');
    expect(n.attrs).toEqual({
      i: 3,
      f: 0.25,
      ints: [1, -2],
      floats: [0.5, 1.5],
      forcedFloats: [1, 2],
      s: 'SAME_UPPER',
      t: { dims: [2], data: Float64Array.of(7, 8) },
    });
  });

  it('turns Constant nodes into initializers with their element types', () => {
    const g = parseOnnx(
      buildModel({
        inputs: [{ name: 'x', shape: [1, 4] }],
        outputs: [{ name: 'y' }],
        nodes: [
          {
            op: 'Constant',
            inputs: [],
            outputs: ['t'],
            attrs: { value: { tensor: { dims: [2, 1], data: [1, 2] } } },
          },
          { op: 'Constant', inputs: [], outputs: ['f'], attrs: { value_float: { f: 2 } } },
          { op: 'Constant', inputs: [], outputs: ['fs'], attrs: { value_floats: { floats: [1, 2, 3] } } },
          { op: 'Constant', inputs: [], outputs: ['i'], attrs: { value_int: 4 } },
          { op: 'Constant', inputs: [], outputs: ['is'], attrs: { value_ints: [5, -6] } },
          { op: 'Reshape', inputs: ['x', 'is'], outputs: ['y'] },
        ],
      }),
    );
    expect(g.nodes.map((n) => n.opType)).toEqual(['Reshape']);
    // The Reshape was the sixth node of the file: names count every node, Constants included.
    expect(g.nodes[0].name).toBe('Reshape_5');
    const get = (n: string) => ({
      dims: g.initializers.get(n)!.dims,
      data: Array.from(g.initializers.get(n)!.data),
    });
    expect(get('t')).toEqual({ dims: [2, 1], data: [1, 2] });
    expect(get('f')).toEqual({ dims: [], data: [2] });
    expect(get('fs')).toEqual({ dims: [3], data: [1, 2, 3] });
    expect(get('i')).toEqual({ dims: [], data: [4] });
    expect(get('is')).toEqual({ dims: [2], data: [5, -6] });
    expect(['t', 'f', 'fs', 'i', 'is'].map((n) => g.constTypes.get(n))).toEqual([
      'float32',
      'float32',
      'float32',
      'int64',
      'int64',
    ]);
  });

  it('decodes raw_data of every numeric type and typed fields with Long int64 values', () => {
    const raw = (dataType: number, bytes: number[]) => ({
      name: `t${dataType}`,
      dims: [2],
      dataType,
      rawData: Uint8Array.from(bytes),
    });
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'g',
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }, {}] } } } }],
        output: [{ name: 'x' }],
        node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
        initializer: [
          raw(11, [0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0xc0]), // float64 1.5, -2
          raw(10, [0x00, 0x3c, 0x00, 0xc1]), // float16 1, -2.5
          raw(7, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0]), // int64 -1, 2^32
          raw(6, [0xfe, 0xff, 0xff, 0xff, 7, 0, 0, 0]), // int32 -2, 7
          raw(3, [0xff, 5]), // int8 -1, 5
          raw(2, [0xff, 5]), // uint8 255, 5
          raw(9, [1, 0]), // bool
          { name: 'i64', dims: [2], dataType: 7, int64Data: [-3, 2 ** 40] },
          { name: 'h16', dims: [1], dataType: 10, int32Data: [0x3c00] },
          { name: 'd', dims: [1], dataType: 11, doubleData: [0.1] },
        ],
      },
    });
    const g = parseOnnx(onnx.ModelProto.encode(model).finish());
    // A dimension with neither dim_value nor dim_param is unknown.
    expect(g.inputs[0].shape).toEqual([2, '?']);
    const data = (n: string) => Array.from(g.initializers.get(n)!.data);
    expect(data('t11')).toEqual([1.5, -2]);
    expect(data('t10')).toEqual([1, -2.5]);
    expect(data('t7')).toEqual([-1, 2 ** 32]);
    expect(data('t6')).toEqual([-2, 7]);
    expect(data('t3')).toEqual([-1, 5]);
    expect(data('t2')).toEqual([255, 5]);
    expect(data('t9')).toEqual([1, 0]);
    expect(data('i64')).toEqual([-3, 2 ** 40]);
    expect(data('h16')).toEqual([1]);
    expect(data('d')).toEqual([0.1]);
    expect(g.constTypes.get('t10')).toBe('float16');
    expect(g.constTypes.get('t9')).toBe('bool');
  });

  it('excludes initializers listed as graph inputs (pre-IR-4 exporters) from the data inputs', () => {
    const g = parseOnnx(
      buildModel({
        opset: 7,
        initializersAsInputs: true,
        inputs: [{ name: 'x', shape: [1, 2] }],
        outputs: [{ name: 'y' }],
        initializers: { w: { dims: [2], data: [1, 2] } },
        nodes: [{ op: 'Mul', inputs: ['x', 'w'], outputs: ['y'] }],
      }),
    );
    expect(g.inputs.map((v) => v.name)).toEqual(['x']);
    expect(g.opset).toBe(7);
  });

  it('marks nodes that carry subgraphs', () => {
    const branch = {
      inputs: [],
      outputs: [{ name: 'b' }],
      initializers: { b: { dims: [1], data: [1] } },
      nodes: [],
    };
    const g = parseOnnx(
      buildModel({
        inputs: [{ name: 'x', shape: [1], elemType: 'bool' }],
        outputs: [{ name: 'y' }],
        nodes: [
          {
            op: 'If',
            inputs: ['x'],
            outputs: ['y'],
            attrs: { then_branch: { graph: branch }, else_branch: { graph: branch } },
          },
        ],
      }),
    );
    expect(g.nodes[0].attrs).toEqual({ [SUBGRAPH_ATTR]: 'yes' });
  });

  it('gives clear errors for bytes that are not a usable ONNX model', () => {
    // protobufjs's own text ("index out of range: ...") never reaches the user.
    expect(() => parseOnnx(new TextEncoder().encode('hello, this is not protobuf at all'))).toThrow(
      /^truncated or corrupt ONNX file \(at byte \d+\)$/,
    );
    const whole = convModel();
    expect(() => parseOnnx(whole.subarray(0, whole.length - 7))).toThrow(
      /^truncated or corrupt ONNX file \(at byte \d+\)$/,
    );
    expect(() => parseOnnx(new Uint8Array(0))).toThrow(/not an ONNX model: the file holds no graph/);
    const empty = buildModel({ inputs: [{ name: 'x', shape: [1] }], outputs: [{ name: 'x' }], nodes: [] });
    expect(() => parseOnnx(empty)).toThrow(/empty graph/);
    const external = onnx.ModelProto.encode({
      opsetImport: [{ version: 13 }],
      graph: {
        node: [{ opType: 'Identity', input: ['w'], output: ['y'] }],
        initializer: [
          {
            name: 'w',
            dims: [1],
            dataType: 1,
            dataLocation: 1,
            externalData: [{ key: 'location', value: 'w.bin' }],
          },
        ],
      },
    }).finish();
    expect(() => parseOnnx(external)).toThrow(
      /initializer 'w' keeps its data in an external file \('w.bin'\)/,
    );
  });

  it('exposeTensors appends intermediate values as float outputs', () => {
    const bytes = exposeTensors(convModel(), ['c', 'y']);
    const g = parseOnnx(bytes);
    expect(g.outputs.map((v) => v.name)).toEqual(['y', 'c']);
    expect(g.outputs[1]).toEqual({ name: 'c', elemType: 'float32', shape: [] });
    expect(() => exposeTensors(convModel(), ['nope'])).toThrow(/no value named 'nope'/);
  });
});
