/**
 * The small nn.Module classes model.py defines for layers PyTorch has no single module for. Only
 * those a model uses are written into its model.py. Their tensors sit under the engine's names
 * (`depthwise.weight`, `row.bias`); PaddedAvgPool2d's divisor is a non-persistent buffer, so it is
 * not in the state_dict.
 */
export type HelperName = 'SeparableConv2d' | 'SpatiallySeparableConv2d' | 'PaddedAvgPool2d';

export const HELPER_NAMES: readonly HelperName[] = ['SeparableConv2d', 'SpatiallySeparableConv2d', 'PaddedAvgPool2d'];

const PAIR_FUNCTION = `def _pair(value):
    """(value, value) for one number, the pair itself for two."""
    return (value, value) if isinstance(value, int) else tuple(value)`;

export const HELPER_SOURCES: Readonly<Record<HelperName, string>> = {
  SeparableConv2d: `class SeparableConv2d(nn.Module):
    """Depthwise separable convolution (MobileNet): a depthwise KxK convolution with depth_multiplier
    filters per input channel and no bias, then a 1x1 pointwise convolution that mixes the channels and
    carries the bias. padding is (top, bottom, left, right): PyTorch's own when the sides agree, else
    zeros added with F.pad before the depthwise stage."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=(0, 0, 0, 0), dilation=1,
                 depth_multiplier=1, bias=True):
        super().__init__()
        top, bottom, left, right = padding
        symmetric = top == bottom and left == right
        self.pad = None if symmetric else (left, right, top, bottom)
        middle = in_channels * depth_multiplier
        self.depthwise = nn.Conv2d(in_channels, middle, kernel_size, stride, (top, left) if symmetric else 0, dilation,
                                   groups=in_channels, bias=False)
        self.pointwise = nn.Conv2d(middle, out_channels, 1, bias=bias)

    def forward(self, x):
        if self.pad is not None:
            x = F.pad(x, self.pad)
        return self.pointwise(self.depthwise(x))`,

  SpatiallySeparableConv2d: `class SpatiallySeparableConv2d(nn.Module):
    """A KxK convolution factored into a Kx1 one (column, no bias) then a 1xK one (row, with the bias),
    both with out_channels filters. The column stage takes the vertical stride, dilation and padding, the
    row stage the horizontal ones. padding is (top, bottom, left, right); unequal sides are added with
    F.pad before the stage they belong to."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=(0, 0, 0, 0), dilation=1, bias=True):
        super().__init__()
        (stride_h, stride_w), (dilation_h, dilation_w) = _pair(stride), _pair(dilation)
        top, bottom, left, right = padding
        self.column_pad = None if top == bottom else (0, 0, top, bottom)
        self.row_pad = None if left == right else (left, right, 0, 0)
        self.column = nn.Conv2d(in_channels, out_channels, (kernel_size, 1), (stride_h, 1), (top if top == bottom else 0, 0),
                                (dilation_h, 1), bias=False)
        self.row = nn.Conv2d(out_channels, out_channels, (1, kernel_size), (1, stride_w), (0, left if left == right else 0),
                             (1, dilation_w), bias=bias)

    def forward(self, x):
        if self.column_pad is not None:
            x = F.pad(x, self.column_pad)
        x = self.column(x)
        if self.row_pad is not None:
            x = F.pad(x, self.row_pad)
        return self.row(x)`,

  PaddedAvgPool2d: `class PaddedAvgPool2d(nn.Module):
    """Average pooling with padding nn.AvgPool2d cannot express: unequal sides, as TensorFlow's 'same'
    gives. padding is (top, bottom, left, right) zeros. Each window is averaged over its pixels inside the
    padded input (count_include_pad=True) or over its real pixels only (False). In ceil mode the last
    window may reach past the padding; that overhang is zeros that never count, as in PyTorch."""

    def __init__(self, kernel_size, stride, padding, input_size, output_size, count_include_pad=True):
        super().__init__()
        self.kernel_size, self.stride, self.output_size = kernel_size, stride, output_size
        top, bottom, left, right = padding
        (height, width), (kernel_h, kernel_w), (stride_h, stride_w) = input_size, kernel_size, stride
        overhang_h = max(0, (output_size[0] - 1) * stride_h + kernel_h - (height + top + bottom))
        overhang_w = max(0, (output_size[1] - 1) * stride_w + kernel_w - (width + left + right))
        self.pad = (left, right + overhang_w, top, bottom + overhang_h)
        # How many pixels each window divides by: the window sums of a map of ones.
        ones = torch.ones(1, 1, height, width)
        if count_include_pad:
            ones = F.pad(F.pad(ones, (left, right, top, bottom), value=1.0), (0, overhang_w, 0, overhang_h))
        else:
            ones = F.pad(ones, self.pad)
        self.register_buffer('divisor', self.window_sums(ones), persistent=False)

    def window_sums(self, x):
        sums = F.avg_pool2d(x, self.kernel_size, self.stride, divisor_override=1)
        return sums[:, :, :self.output_size[0], :self.output_size[1]]

    def forward(self, x):
        return self.window_sums(F.pad(x, self.pad)) / self.divisor`,
};

/** The helper classes' source, in a fixed order, with what they share; '' when none is used. */
export const helperSource = (used: ReadonlySet<HelperName>): string => {
  const parts = HELPER_NAMES.filter((name) => used.has(name)).map((name) => HELPER_SOURCES[name]);
  if (used.has('SpatiallySeparableConv2d')) parts.unshift(PAIR_FUNCTION);
  return parts.join('\n\n\n');
};
