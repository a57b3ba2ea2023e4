// Numerical constants shared by the host core and the CUDA kernels: one
// definition each, plain constexpr doubles, so nvcc and the host compilers
// read the same bits (no function, no libm, nothing host-only).
#pragma once

namespace ropebound {

// Unit roundoff of binary64.
inline constexpr double kUnitRoundoff = 0x1p-53;

// 2*pi as an unevaluated sum of three doubles (|error| < 2^-160): the phase
// reduction subtracts k * 2pi part by part, the first product exactly.
inline constexpr double kTwoPiHi = 0x1.921fb54442d18p+2;
inline constexpr double kTwoPiMid = 0x1.1a62633145c07p-52;
inline constexpr double kTwoPiLo = -0x1.f1976b7ed8fbcp-108;
// 1/(2 pi) rounded: only picks the multiple k, whose exactness does not matter.
inline constexpr double kInvTwoPi = 0x1.45f306dc9c883p-3;

// Bound assumed for a libm (or CUDA) cos/sin of an argument in [-4, 4]: 2 ulps
// of a result in [-1, 1] (glibc documents <= 1 ulp on x86-64, CUDA 2 ulp).
inline constexpr double kLibmErr = 0x1p-51;

}  // namespace ropebound
