;; The CPU backend's float32 kernels in WebAssembly SIMD (128-bit, f32x4): SGEMM's building blocks
;; (for kernels/gemm-wasm.ts) and the loops around it in a convolutional network: im2col and
;; col2im, Winograd's transforms, ReLU, max pooling, depthwise convolution, row copies and sums
;; (for kernels/*-heap.ts and kernels/winograd.ts).
;;
;; Assembled by `npm run wasm` (scripts/build-wasm.mjs, with the npm package wabt) into the base64
;; string of gemm-wasm.generated.ts. Edit this file, never the generated one.
;;
;; The memory is imported (heap.ts creates it): shared between threads where the runtime allows,
;; so that helper threads run these functions on the same data. wabt's validator rejects shared
;; memories, so the import is declared plain here and heap.ts sets its shared bit in the binary.
;; Every address is a byte address into this memory (below 2 GiB, so signed compares are safe);
;; every leading dimension, size and count is in elements.
;;
;; SGEMM: the JS driver runs GotoBLAS's loops: for each KC×NC block of op(B) it calls $pack_b,
;; for each MC×KC block of op(A) $pack_a, then $block, which sweeps the packed panels with the
;; 4×8 micro-kernel $kernel.
;;
;; Packed layouts (what the micro-kernel reads sequentially):
;;   A: MR = 4-row panels; panel p holds, for k = 0 … kc-1, the 4 values op(A)[4p + r, k] (zeros past mc).
;;   B: NR = 8-column panels; panel q holds, for k = 0 … kc-1, the 8 values op(B)[k, 8q + c] (zeros past nc).
;;
;; The micro-kernel keeps a 4×8 tile of C in eight f32x4 accumulators and adds one product per k
;; in order, in runs of 64 steps, each run's sums then added into C (times alpha); edge tiles go
;; through a scratch tile with the same arithmetic. So every entry of C is summed in one fixed
;; order that depends only on K (runs restart at each KC block), not on the data, the entry's
;; place in a tile, or the machine: results are identical from run to run. Each step here is a
;; mul then an add; scripts/build-wasm.mjs also makes an FMA build whose micro-kernel fuses them
;; (f32x4.relaxed_madd: fused or not machine by machine, the same on one machine), which heap.ts
;; picks where relaxed SIMD is on. The other kernels, too, sum in one fixed order each.
(module
  (import "env" "memory" (memory 1 32768))

  ;; C[m×n] (stride ldc) ← beta·C, with beta = 0 writing zeros whatever C held (NaN included).
  (func (export "scale") (param $c i32) (param $ldc i32) (param $m i32) (param $n i32) (param $beta f32)
    (local $p i32) (local $end i32) (local $vend i32) (local $vb v128) (local $zero i32)
    (local.set $vb (f32x4.splat (local.get $beta)))
    (local.set $zero (f32.eq (local.get $beta) (f32.const 0)))
    (block $done
      (br_if $done (i32.le_s (local.get $m) (i32.const 0)))
      (loop $row
        (local.set $p (local.get $c))
        (local.set $end (i32.add (local.get $c) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $vend (i32.sub (local.get $end) (i32.const 12)))
        (if (local.get $zero)
          (then
            (block $v (loop $l
              (br_if $v (i32.ge_u (local.get $p) (local.get $vend)))
              (v128.store (local.get $p) (v128.const i32x4 0 0 0 0))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (br $l)))
            (block $s (loop $l
              (br_if $s (i32.ge_u (local.get $p) (local.get $end)))
              (f32.store (local.get $p) (f32.const 0))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $l))))
          (else
            (block $v (loop $l
              (br_if $v (i32.ge_u (local.get $p) (local.get $vend)))
              (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $vb)))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (br $l)))
            (block $s (loop $l
              (br_if $s (i32.ge_u (local.get $p) (local.get $end)))
              (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (local.get $beta)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (br $l)))))
        (local.set $c (i32.add (local.get $c) (i32.shl (local.get $ldc) (i32.const 2))))
        (br_if $row (local.tee $m (i32.sub (local.get $m) (i32.const 1)))))))

  ;; The general packing loop, for edge panels and leftover k: for k < count and r < width,
  ;; dst[k·width + r] = r < rows ? mem[src + r·rs + k·ks] : 0 (strides rs, ks in bytes).
  (func $pack_any (param $src i32) (param $rs i32) (param $ks i32) (param $rows i32) (param $width i32) (param $count i32) (param $dst i32)
    (local $k i32) (local $r i32) (local $p i32)
    (block $done
      (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
      (loop $kl
        (local.set $p (local.get $src))
        (local.set $r (i32.const 0))
        (loop $rl
          (if (i32.lt_s (local.get $r) (local.get $rows))
            (then (f32.store (local.get $dst) (f32.load (local.get $p))))
            (else (f32.store (local.get $dst) (f32.const 0))))
          (local.set $p (i32.add (local.get $p) (local.get $rs)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (br_if $rl (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $width))))
        (local.set $src (i32.add (local.get $src) (local.get $ks)))
        (br_if $kl (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $count))))))

  ;; Packs op(A)[0 : mc, 0 : kc] of the block at byte address a into 4-row panels at dst.
  ;; trans = 0: A is row-major M×K, (i, k) at a + 4(i·lda + k); trans = 1: (i, k) at a + 4(k·lda + i).
  (func (export "pack_a") (param $trans i32) (param $a i32) (param $lda i32) (param $mc i32) (param $kc i32) (param $dst i32)
    (local $ir i32) (local $rows i32) (local $k i32) (local $ld4 i32) (local $p i32) (local $q i32) (local $kc4 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $ld4 (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (loop $panel
      (local.set $rows (i32.sub (local.get $mc) (local.get $ir)))
      (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
      (if (local.get $trans)
        (then
          ;; The 4 values of one k are contiguous.
          (local.set $p (i32.add (local.get $a) (i32.shl (local.get $ir) (i32.const 2))))
          (if (i32.eq (local.get $rows) (i32.const 4))
            (then
              (local.set $k (i32.const 0))
              (loop $kl
                (v128.store (local.get $dst) (v128.load (local.get $p)))
                (local.set $p (i32.add (local.get $p) (local.get $ld4)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                (br_if $kl (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $kc)))))
            (else
              (call $pack_any (local.get $p) (i32.const 4) (local.get $ld4) (local.get $rows) (i32.const 4) (local.get $kc) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4)))))))
        (else
          ;; Rows are contiguous along k: transpose 4×4 blocks.
          (local.set $p (i32.add (local.get $a) (i32.mul (local.get $ir) (local.get $ld4))))
          (if (i32.eq (local.get $rows) (i32.const 4))
            (then
              (local.set $p0 (local.get $p))
              (local.set $p1 (i32.add (local.get $p0) (local.get $ld4)))
              (local.set $p2 (i32.add (local.get $p1) (local.get $ld4)))
              (local.set $p3 (i32.add (local.get $p2) (local.get $ld4)))
              (local.set $k (i32.const 0))
              (block $kd (loop $kl
                (br_if $kd (i32.ge_s (local.get $k) (local.get $kc4)))
                (local.set $q (i32.shl (local.get $k) (i32.const 2)))
                (local.set $v0 (v128.load (i32.add (local.get $p0) (local.get $q))))
                (local.set $v1 (v128.load (i32.add (local.get $p1) (local.get $q))))
                (local.set $v2 (v128.load (i32.add (local.get $p2) (local.get $q))))
                (local.set $v3 (v128.load (i32.add (local.get $p3) (local.get $q))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $kl)))
              (call $pack_any (i32.add (local.get $p) (i32.shl (local.get $kc4) (i32.const 2))) (local.get $ld4) (i32.const 4)
                (i32.const 4) (i32.const 4) (i32.sub (local.get $kc) (local.get $kc4)) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $kc) (local.get $kc4)) (i32.const 4)))))
            (else
              (call $pack_any (local.get $p) (local.get $ld4) (i32.const 4) (local.get $rows) (i32.const 4) (local.get $kc) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 4))))))))
      (br_if $panel (i32.lt_s (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mc)))))

  ;; Packs op(B)[0 : kc, 0 : nc] of the block at byte address b into 8-column panels at dst.
  ;; trans = 0: B is row-major K×N, (k, j) at b + 4(k·ldb + j); trans = 1: (k, j) at b + 4(j·ldb + k).
  (func (export "pack_b") (param $trans i32) (param $b i32) (param $ldb i32) (param $kc i32) (param $nc i32) (param $dst i32)
    (local $jr i32) (local $cols i32) (local $k i32) (local $ld4 i32) (local $p i32) (local $q i32) (local $kc4 i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $p4 i32) (local $p5 i32) (local $p6 i32) (local $p7 i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $ld4 (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (loop $panel
      (local.set $cols (i32.sub (local.get $nc) (local.get $jr)))
      (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
      (if (i32.eqz (local.get $trans))
        (then
          ;; The 8 values of one k are contiguous.
          (local.set $p (i32.add (local.get $b) (i32.shl (local.get $jr) (i32.const 2))))
          (if (i32.eq (local.get $cols) (i32.const 8))
            (then
              (local.set $k (i32.const 0))
              (loop $kl
                (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $p)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $p)))
                (local.set $p (i32.add (local.get $p) (local.get $ld4)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (br_if $kl (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $kc)))))
            (else
              (call $pack_any (local.get $p) (i32.const 4) (local.get $ld4) (local.get $cols) (i32.const 8) (local.get $kc) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5)))))))
        (else
          ;; Each column of op(B) is a row of B, contiguous along k: transpose two 4×4 blocks per 4 k.
          (local.set $p (i32.add (local.get $b) (i32.mul (local.get $jr) (local.get $ld4))))
          (if (i32.eq (local.get $cols) (i32.const 8))
            (then
              (local.set $p0 (local.get $p))
              (local.set $p1 (i32.add (local.get $p0) (local.get $ld4)))
              (local.set $p2 (i32.add (local.get $p1) (local.get $ld4)))
              (local.set $p3 (i32.add (local.get $p2) (local.get $ld4)))
              (local.set $p4 (i32.add (local.get $p3) (local.get $ld4)))
              (local.set $p5 (i32.add (local.get $p4) (local.get $ld4)))
              (local.set $p6 (i32.add (local.get $p5) (local.get $ld4)))
              (local.set $p7 (i32.add (local.get $p6) (local.get $ld4)))
              (local.set $k (i32.const 0))
              (block $kd (loop $kl
                (br_if $kd (i32.ge_s (local.get $k) (local.get $kc4)))
                (local.set $q (i32.shl (local.get $k) (i32.const 2)))
                ;; Columns 0-3 → the first half of 4 consecutive 8-wide rows.
                (local.set $v0 (v128.load (i32.add (local.get $p0) (local.get $q))))
                (local.set $v1 (v128.load (i32.add (local.get $p1) (local.get $q))))
                (local.set $v2 (v128.load (i32.add (local.get $p2) (local.get $q))))
                (local.set $v3 (v128.load (i32.add (local.get $p3) (local.get $q))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                ;; Columns 4-7 → the second half.
                (local.set $v0 (v128.load (i32.add (local.get $p4) (local.get $q))))
                (local.set $v1 (v128.load (i32.add (local.get $p5) (local.get $q))))
                (local.set $v2 (v128.load (i32.add (local.get $p6) (local.get $q))))
                (local.set $v3 (v128.load (i32.add (local.get $p7) (local.get $q))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store offset=80 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store offset=112 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $k (i32.add (local.get $k) (i32.const 4)))
                (br $kl)))
              (call $pack_any (i32.add (local.get $p) (i32.shl (local.get $kc4) (i32.const 2))) (local.get $ld4) (i32.const 4)
                (i32.const 8) (i32.const 8) (i32.sub (local.get $kc) (local.get $kc4)) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.sub (local.get $kc) (local.get $kc4)) (i32.const 5)))))
            (else
              (call $pack_any (local.get $p) (local.get $ld4) (i32.const 4) (local.get $cols) (i32.const 8) (local.get $kc) (local.get $dst))
              (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $kc) (i32.const 5))))))))
      (br_if $panel (i32.lt_s (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc)))))

  ;; The micro-kernel, over np consecutive 4-row panels of packed A against one 8-column panel of
  ;; packed B: for each, C[0:4, 0:8] += alpha · Σ_k A[:, k] ⊗ B[k, :] (c and ldc4 in bytes), k in
  ;; order, in runs of at most KS = 64 steps whose sums are added into C one after another: each
  ;; float32 chain is then at most 64 + kc/64 additions long (error ∝ its square root), not kc.
  ;; Eight accumulators, two B vectors, four broadcasts of A and one product: 15 registers, which
  ;; V8's x64 register allocator has (xmm15 is its scratch), so nothing spills inside the k loop.
  (func $kernel (param $kc i32) (param $np i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc4 i32) (param $alpha f32)
    (local $a i32) (local $b i32) (local $end i32) (local $last i32) (local $p i32) (local $va v128) (local $x v128) (local $b0 v128) (local $b1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $a (local.get $pa))
    (loop $panel
      (local.set $b (local.get $pb))
      (local.set $last (i32.add (local.get $a) (i32.shl (local.get $kc) (i32.const 4))))
      (loop $run
        (local.set $c00 (v128.const i32x4 0 0 0 0))
        (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0))
        (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0))
        (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0))
        (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $end (i32.add (local.get $a) (i32.const 1024))) ;; KS = 64 steps of 16 bytes
        (if (i32.gt_u (local.get $end) (local.get $last)) (then (local.set $end (local.get $last))))
        (loop $k
          (local.set $b0 (v128.load offset=0 (local.get $b)))
          (local.set $b1 (v128.load offset=16 (local.get $b)))
          (local.set $x (v128.load32_splat offset=0 (local.get $a)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $a)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $a)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $a)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $a (i32.add (local.get $a) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 32)))
          (br_if $k (i32.lt_u (local.get $a) (local.get $end))))
        (local.set $va (f32x4.splat (local.get $alpha)))
        (local.set $p (local.get $c))
        (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c00))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c01))))
        (local.set $p (i32.add (local.get $p) (local.get $ldc4)))
        (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c10))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c11))))
        (local.set $p (i32.add (local.get $p) (local.get $ldc4)))
        (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c20))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c21))))
        (local.set $p (i32.add (local.get $p) (local.get $ldc4)))
        (v128.store offset=0 (local.get $p) (f32x4.add (v128.load offset=0 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c30))))
        (v128.store offset=16 (local.get $p) (f32x4.add (v128.load offset=16 (local.get $p)) (f32x4.mul (local.get $va) (local.get $c31))))
        (br_if $run (i32.lt_u (local.get $a) (local.get $last))))
      (local.set $c (i32.add (local.get $c) (i32.shl (local.get $ldc4) (i32.const 2))))
      (br_if $panel (local.tee $np (i32.sub (local.get $np) (i32.const 1))))))

  ;; An edge tile: its mr×nr corner of C is copied into the 4×8 scratch tile at byte address tile
  ;; (zeros around it), the kernel runs on the tile, and the corner is copied back: the same
  ;; arithmetic, in the same order, as on a full tile (the padded rows and columns are dropped).
  (func $edge (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $alpha f32) (param $tile i32)
    (v128.store offset=0 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=16 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=32 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=48 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=64 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=80 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=96 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (v128.store offset=112 (local.get $tile) (v128.const i32x4 0 0 0 0))
    (call $corner (local.get $c) (local.get $ldc) (local.get $mr) (local.get $nr) (local.get $tile) (i32.const 0))
    (call $kernel (local.get $kc) (i32.const 1) (local.get $pa) (local.get $pb) (local.get $tile) (i32.const 32) (local.get $alpha))
    (call $corner (local.get $c) (local.get $ldc) (local.get $mr) (local.get $nr) (local.get $tile) (i32.const 1)))

  ;; Copies the mr×nr corner of C (stride ldc elements) into the 4×8 tile (back = 0) or back (back = 1):
  ;; rows of 8 as two vectors, narrower ones value by value.
  (func $corner (param $c i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $tile i32) (param $back i32)
    (local $r i32) (local $j i32) (local $p i32) (local $t i32)
    (loop $rl
      (local.set $p (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $ldc)) (i32.const 2))))
      (local.set $t (i32.add (local.get $tile) (i32.shl (local.get $r) (i32.const 5))))
      (local.set $j (i32.const 0))
      (if (i32.eq (local.get $nr) (i32.const 8))
        (then
          (if (local.get $back)
            (then
              (v128.store offset=0 (local.get $p) (v128.load offset=0 (local.get $t)))
              (v128.store offset=16 (local.get $p) (v128.load offset=16 (local.get $t))))
            (else
              (v128.store offset=0 (local.get $t) (v128.load offset=0 (local.get $p)))
              (v128.store offset=16 (local.get $t) (v128.load offset=16 (local.get $p)))))
          (local.set $j (i32.const 8))))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_s (local.get $j) (local.get $nr)))
        (if (local.get $back)
          (then (f32.store (local.get $p) (f32.load (local.get $t))))
          (else (f32.store (local.get $t) (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jl)))
      (br_if $rl (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $mr)))))

  ;; C[0:mc, 0:nc] += alpha · packed A (mc×kc) · packed B (kc×nc), C at byte address c with
  ;; stride ldc (elements); tile is a 128-byte scratch area. Requires mc, nc, kc ≥ 1.
  (func (export "block") (param $mc i32) (param $nc i32) (param $kc i32) (param $pa i32) (param $pb i32) (param $c i32) (param $ldc i32)
    (param $alpha f32) (param $tile i32)
    (local $jr i32) (local $nr i32) (local $ir i32) (local $mr i32) (local $full i32) (local $bp i32) (local $cp i32) (local $panel4 i32)
    (local.set $full (i32.shr_u (local.get $mc) (i32.const 2)))
    (local.set $panel4 (i32.shl (local.get $kc) (i32.const 4)))
    (loop $jl
      (local.set $nr (i32.sub (local.get $nc) (local.get $jr)))
      (if (i32.gt_s (local.get $nr) (i32.const 8)) (then (local.set $nr (i32.const 8))))
      (local.set $bp (i32.add (local.get $pb) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 2))))
      (local.set $cp (i32.add (local.get $c) (i32.shl (local.get $jr) (i32.const 2))))
      (local.set $ir (i32.const 0))
      (if (i32.eq (local.get $nr) (i32.const 8))
        (then
          (if (local.get $full)
            (then
              (call $kernel (local.get $kc) (local.get $full) (local.get $pa) (local.get $bp) (local.get $cp)
                (i32.shl (local.get $ldc) (i32.const 2)) (local.get $alpha))
              (local.set $ir (i32.shl (local.get $full) (i32.const 2)))))))
      ;; What is left: the last rows (mc mod 4) under full columns, or every row of a narrow panel.
      (block $done (loop $il
        (br_if $done (i32.ge_s (local.get $ir) (local.get $mc)))
        (local.set $mr (i32.sub (local.get $mc) (local.get $ir)))
        (if (i32.gt_s (local.get $mr) (i32.const 4)) (then (local.set $mr (i32.const 4))))
        (call $edge (local.get $kc) (i32.add (local.get $pa) (i32.mul (i32.shr_u (local.get $ir) (i32.const 2)) (local.get $panel4)))
          (local.get $bp) (i32.add (local.get $cp) (i32.shl (i32.mul (local.get $ir) (local.get $ldc)) (i32.const 2)))
          (local.get $ldc) (local.get $mr) (local.get $nr) (local.get $alpha) (local.get $tile))
        (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
        (br $il)))
      (br_if $jl (i32.lt_s (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $nc)))))

  ;; ---------------------------------------------------------------- row helpers
  ;; Each walks n elements, four at a time with v128 loads and stores (unaligned is fine), then one
  ;; at a time for the last n mod 4. A step is in bytes.

  ;; dst[0 : n] = 0.
  (func $zero (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $v (loop $l
      (br_if $v (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.const 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l))))

  ;; dst[i] = src[i] for i < n.
  (func $copy (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $v (loop $l
      (br_if $v (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (v128.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l))))

  ;; dst[i] = src[i·step] for i < n.
  (func $copy_step (param $src i32) (param $step i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.load (local.get $src)))
      (local.set $src (i32.add (local.get $src) (local.get $step)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l))))

  ;; dst[i] += src[i] for i < n.
  (func $add_into (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $v (loop $l
      (br_if $v (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l))))

  ;; dst[i·step] += src[i] for i < n.
  (func $add_step (param $src i32) (param $dst i32) (param $step i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $src) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (br $l))))

  ;; dst[i] += w · src[i] for i < n.
  (func $axpy (param $w f32) (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $vw v128)
    (local.set $vw (f32x4.splat (local.get $w)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (block $v (loop $l
      (br_if $v (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (f32x4.mul (local.get $vw) (v128.load (local.get $src)))))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.mul (local.get $w) (f32.load (local.get $src)))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l))))

  ;; ---------------------------------------------------------------- element-wise and copies

  ;; dst[0 : n] = 0.
  (func (export "zero") (param $dst i32) (param $n i32)
    (call $zero (local.get $dst) (local.get $n)))

  ;; dst[i] += src[i] for i < n.
  (func (export "add") (param $dst i32) (param $src i32) (param $n i32)
    (call $add_into (local.get $src) (local.get $dst) (local.get $n)))

  ;; dst[r, c] = src[r, c] (+ bias[r] where bias ≠ 0) for rows × cols blocks with leading dimensions sld, dld.
  (func (export "copy2d") (param $src i32) (param $sld i32) (param $dst i32) (param $dld i32) (param $rows i32) (param $cols i32) (param $bias i32)
    (local $r i32) (local $b v128) (local $p i32) (local $q i32) (local $end i32) (local $bs f32)
    (block $done
      (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
      (loop $rl
        (if (i32.eqz (local.get $bias))
          (then (call $copy (local.get $src) (local.get $dst) (local.get $cols)))
          (else
            (local.set $bs (f32.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2)))))
            (local.set $b (f32x4.splat (local.get $bs)))
            (local.set $p (local.get $src))
            (local.set $q (local.get $dst))
            (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $cols) (i32.const 2))))
            (block $v (loop $l
              (br_if $v (i32.gt_s (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
              (v128.store (local.get $q) (f32x4.add (v128.load (local.get $p)) (local.get $b)))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br $l)))
            (block $s (loop $l
              (br_if $s (i32.ge_s (local.get $q) (local.get $end)))
              (f32.store (local.get $q) (f32.add (f32.load (local.get $p)) (local.get $bs)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))
              (local.set $q (i32.add (local.get $q) (i32.const 4)))
              (br $l)))))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $sld) (i32.const 2))))
        (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $dld) (i32.const 2))))
        (br_if $rl (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

  ;; dst[r] = Σ_c src[r, c] for a rows × cols block with leading dimension ld: four lanes each sum
  ;; every fourth column in order, the lanes are added as (0 + 1) + (2 + 3), then the last cols mod 4.
  (func (export "row_sums") (param $src i32) (param $ld i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $r i32) (local $p i32) (local $end i32) (local $acc v128) (local $s f32)
    (block $done
      (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
      (loop $rl
        (local.set $p (local.get $src))
        (local.set $end (i32.add (local.get $src) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (block $v (loop $l
          (br_if $v (i32.gt_s (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
          (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $l)))
        (local.set $s (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (block $s (loop $l
          (br_if $s (i32.ge_s (local.get $p) (local.get $end)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $l)))
        (f32.store (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 2))) (local.get $s))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $ld) (i32.const 2))))
        (br_if $rl (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (local.get $rows))))))

  ;; y[i] = x[i] > 0 ? x[i] : 0 (NaN gives 0, as the JavaScript kernel does): pmax(0, x) is exactly that.
  (func (export "relu") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $v f32)
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (block $b (loop $l
      (br_if $b (i32.gt_s (i32.add (local.get $y) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $y) (f32x4.pmax (v128.const i32x4 0 0 0 0) (v128.load (local.get $x))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $y) (local.get $end)))
      (local.set $v (f32.load (local.get $x)))
      (f32.store (local.get $y) (select (local.get $v) (f32.const 0) (f32.gt (local.get $v) (f32.const 0))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $y (i32.add (local.get $y) (i32.const 4)))
      (br $l))))

  ;; gi[i] += x[i] > 0 ? g[i] : 0.
  (func (export "relu_grad") (param $x i32) (param $g i32) (param $gi i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $gi) (i32.shl (local.get $n) (i32.const 2))))
    (block $b (loop $l
      (br_if $b (i32.gt_s (i32.add (local.get $gi) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $gi) (f32x4.add (v128.load (local.get $gi))
        (v128.and (v128.load (local.get $g)) (f32x4.gt (v128.load (local.get $x)) (v128.const i32x4 0 0 0 0)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $gi (i32.add (local.get $gi) (i32.const 16)))
      (br $l)))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $gi) (local.get $end)))
      (if (f32.gt (f32.load (local.get $x)) (f32.const 0))
        (then (f32.store (local.get $gi) (f32.add (f32.load (local.get $gi)) (f32.load (local.get $g))))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (local.set $gi (i32.add (local.get $gi) (i32.const 4)))
      (br $l))))

  ;; ---------------------------------------------------------------- sliding windows

  ;; The first output index o (at most out) whose input index o·s + off is ≥ 0.
  (func $first (param $off i32) (param $s i32) (param $out i32) (result i32)
    (local $o i32)
    (if (i32.lt_s (local.get $off) (i32.const 0))
      (then (local.set $o (i32.div_u (i32.sub (i32.add (local.get $s) (i32.const -1)) (local.get $off)) (local.get $s)))))
    (select (local.get $o) (local.get $out) (i32.lt_s (local.get $o) (local.get $out))))

  ;; One past the last output index (0 … out) whose input index o·s + off is < in.
  (func $last (param $off i32) (param $s i32) (param $in i32) (param $out i32) (result i32)
    (local $t i32)
    (local.set $t (i32.sub (i32.sub (local.get $in) (i32.const 1)) (local.get $off)))
    (if (result i32) (i32.lt_s (local.get $t) (i32.const 0))
      (then (i32.const 0))
      (else
        (local.set $t (i32.add (i32.div_u (local.get $t) (local.get $s)) (i32.const 1)))
        (select (local.get $t) (local.get $out) (i32.lt_s (local.get $t) (local.get $out))))))

  ;; im2col (back = 0) or col2im (back = 1) for one image of `channels` planes inH × inW at x. The
  ;; column matrix at col has a row per (c, ki, kj), in that order, of outH·outW values with
  ;; leading dimension ldc: row (c·kh + ki)·kw + kj, column oh·outW + ow holds x[c, oh·sh − pt +
  ;; ki·dh, ow·sw − pl + kj·dw], 0 where that falls outside. im2col writes every value; col2im adds
  ;; each value that has a place in x into it, row after row. Each (c, ki, kj) row is the output
  ;; rows before ohS and from ohE on (outside the input: zeros), and between them, per output row,
  ;; the columns [owS, owE) read from x with zeros around; a row whose pieces join up in both
  ;; (stride 1, every column inside, input rows as wide as output rows) is one copy.
  (func (export "im2col") (param $back i32) (param $x i32) (param $channels i32) (param $inH i32) (param $inW i32) (param $outH i32) (param $outW i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $pt i32) (param $pl i32)
    (param $col i32) (param $ldc i32)
    (local $c i32) (local $ki i32) (local $kj i32) (local $oh i32) (local $row i32) (local $dst i32) (local $src i32) (local $n i32)
    (local $offH i32) (local $offW i32) (local $ohS i32) (local $ohE i32) (local $owS i32) (local $owE i32) (local $plane i32) (local $step i32)
    (local $d i32) (local $e i32) (local $s i32) (local $srcRow i32) (local $dstRow i32) (local $whole i32)
    (if (i32.or (i32.le_s (local.get $channels) (i32.const 0)) (i32.le_s (i32.mul (local.get $outH) (local.get $outW)) (i32.const 0))) (then (return)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $srcRow (i32.shl (i32.mul (local.get $sh) (local.get $inW)) (i32.const 2)))
    (local.set $dstRow (i32.shl (local.get $outW) (i32.const 2)))
    (local.set $row (local.get $col))
    (local.set $plane (local.get $x))
    (loop $cl
      (local.set $ki (i32.const 0))
      (loop $kil
        (local.set $offH (i32.sub (i32.mul (local.get $ki) (local.get $dh)) (local.get $pt)))
        (local.set $ohS (call $first (local.get $offH) (local.get $sh) (local.get $outH)))
        (local.set $ohE (call $last (local.get $offH) (local.get $sh) (local.get $inH) (local.get $outH)))
        (if (i32.lt_s (local.get $ohE) (local.get $ohS)) (then (local.set $ohE (local.get $ohS))))
        (local.set $kj (i32.const 0))
        (loop $kjl
          (local.set $offW (i32.sub (i32.mul (local.get $kj) (local.get $dw)) (local.get $pl)))
          (local.set $owS (call $first (local.get $offW) (local.get $sw) (local.get $outW)))
          (local.set $owE (call $last (local.get $offW) (local.get $sw) (local.get $inW) (local.get $outW)))
          (if (i32.lt_s (local.get $owE) (local.get $owS)) (then (local.set $owE (local.get $owS))))
          (local.set $n (i32.sub (local.get $owE) (local.get $owS)))
          (local.set $whole (i32.and (i32.and (i32.eq (local.get $n) (local.get $outW)) (i32.eq (local.get $sw) (i32.const 1)))
            (i32.eq (local.get $srcRow) (local.get $dstRow))))
          ;; The input pixel under (ohS, owS), and where it goes.
          (local.set $src (i32.add (local.get $plane) (i32.shl (i32.add
            (i32.mul (i32.add (i32.mul (local.get $ohS) (local.get $sh)) (local.get $offH)) (local.get $inW))
            (i32.add (i32.mul (local.get $owS) (local.get $sw)) (local.get $offW))) (i32.const 2))))
          (local.set $dst (i32.add (local.get $row) (i32.shl (i32.add (i32.mul (local.get $ohS) (local.get $outW)) (local.get $owS)) (i32.const 2))))
          (if (local.get $back)
            (then
              (if (local.get $whole)
                (then (call $add_into (local.get $dst) (local.get $src) (i32.mul (i32.sub (local.get $ohE) (local.get $ohS)) (local.get $outW))))
                (else
                  (local.set $oh (local.get $ohS))
                  (block $bd (loop $bl
                    (br_if $bd (i32.ge_s (local.get $oh) (local.get $ohE)))
                    (if (i32.eq (local.get $sw) (i32.const 1))
                      (then (call $add_into (local.get $dst) (local.get $src) (local.get $n)))
                      (else (call $add_step (local.get $dst) (local.get $src) (local.get $step) (local.get $n))))
                    (local.set $src (i32.add (local.get $src) (local.get $srcRow)))
                    (local.set $dst (i32.add (local.get $dst) (local.get $dstRow)))
                    (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                    (br $bl))))))
            (else
              (call $zero (local.get $row) (i32.mul (local.get $ohS) (local.get $outW)))
              (if (local.get $whole)
                (then (call $copy (local.get $src) (local.get $dst) (i32.mul (i32.sub (local.get $ohE) (local.get $ohS)) (local.get $outW))))
                (else
                  (local.set $oh (local.get $ohS))
                  (block $fd (loop $fl
                    (br_if $fd (i32.ge_s (local.get $oh) (local.get $ohE)))
                    ;; Zeros before owS.
                    (local.set $d (i32.sub (local.get $dst) (i32.shl (local.get $owS) (i32.const 2))))
                    (block $zd (loop $zl
                      (br_if $zd (i32.ge_s (local.get $d) (local.get $dst)))
                      (f32.store (local.get $d) (f32.const 0))
                      (local.set $d (i32.add (local.get $d) (i32.const 4)))
                      (br $zl)))
                    ;; The n values, four at a time where the stride is 1.
                    (local.set $s (local.get $src))
                    (local.set $e (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
                    (if (i32.eq (local.get $sw) (i32.const 1))
                      (then
                        (block $vd (loop $vl
                          (br_if $vd (i32.gt_s (i32.add (local.get $d) (i32.const 16)) (local.get $e)))
                          (v128.store (local.get $d) (v128.load (local.get $s)))
                          (local.set $s (i32.add (local.get $s) (i32.const 16)))
                          (local.set $d (i32.add (local.get $d) (i32.const 16)))
                          (br $vl)))))
                    (block $sd (loop $sl
                      (br_if $sd (i32.ge_s (local.get $d) (local.get $e)))
                      (f32.store (local.get $d) (f32.load (local.get $s)))
                      (local.set $s (i32.add (local.get $s) (local.get $step)))
                      (local.set $d (i32.add (local.get $d) (i32.const 4)))
                      (br $sl)))
                    ;; Zeros after owE.
                    (local.set $e (i32.add (local.get $e) (i32.shl (i32.sub (local.get $outW) (local.get $owE)) (i32.const 2))))
                    (block $zd (loop $zl
                      (br_if $zd (i32.ge_s (local.get $d) (local.get $e)))
                      (f32.store (local.get $d) (f32.const 0))
                      (local.set $d (i32.add (local.get $d) (i32.const 4)))
                      (br $zl)))
                    (local.set $src (i32.add (local.get $src) (local.get $srcRow)))
                    (local.set $dst (i32.add (local.get $dst) (local.get $dstRow)))
                    (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
                    (br $fl)))))
              (call $zero (i32.add (local.get $row) (i32.shl (i32.mul (local.get $ohE) (local.get $outW)) (i32.const 2)))
                (i32.mul (i32.sub (local.get $outH) (local.get $ohE)) (local.get $outW)))))
          (local.set $row (i32.add (local.get $row) (i32.shl (local.get $ldc) (i32.const 2))))
          (br_if $kjl (i32.lt_s (local.tee $kj (i32.add (local.get $kj) (i32.const 1))) (local.get $kw))))
        (br_if $kil (i32.lt_s (local.tee $ki (i32.add (local.get $ki) (i32.const 1))) (local.get $kh))))
      (local.set $plane (i32.add (local.get $plane) (i32.shl (i32.mul (local.get $inH) (local.get $inW)) (i32.const 2))))
      (br_if $cl (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels)))))

  ;; Max pooling over `planes` planes inH × inW at x into outH × outW at y, with the winner's index
  ;; within its plane at arg (i32), −1 (and output 0) for a window with no pixel. Each window is
  ;; clipped to the input (padding is −∞); the first of equal maxima wins, and the first NaN beats
  ;; everything, as in the JavaScript kernel and PyTorch. No branch depends on the data (a float
  ;; select would be one): 2×2 windows at stride 2 take four outputs at a time in SIMD, with
  ;; bitselect; other windows, and the last outputs of a row, compare as integers.
  (func (export "maxpool") (param $x i32) (param $y i32) (param $arg i32) (param $planes i32) (param $inH i32) (param $inW i32) (param $outH i32) (param $outW i32)
    (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $p i32) (local $oh i32) (local $ow i32) (local $h0 i32) (local $w0 i32) (local $pairs i32)
    (if (i32.or (i32.le_s (local.get $planes) (i32.const 0)) (i32.le_s (i32.mul (local.get $outH) (local.get $outW)) (i32.const 0))) (then (return)))
    ;; 2×2, stride 2, no padding, every window inside: the SIMD path covers the first outW − outW mod 4 outputs of each row.
    (if (i32.and
          (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 2)) (i32.eq (local.get $kw) (i32.const 2)))
                   (i32.and (i32.eq (local.get $sh) (i32.const 2)) (i32.eq (local.get $sw) (i32.const 2))))
          (i32.and (i32.eqz (i32.or (local.get $pt) (local.get $pl)))
                   (i32.and (i32.le_s (i32.shl (local.get $outH) (i32.const 1)) (local.get $inH)) (i32.le_s (i32.shl (local.get $outW) (i32.const 1)) (local.get $inW)))))
      (then (local.set $pairs (i32.and (local.get $outW) (i32.const -4)))))
    (loop $pl_
      (local.set $oh (i32.const 0))
      (loop $ohl
        (local.set $h0 (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt)))
        (call $max2x2 (local.get $x) (local.get $y) (local.get $arg) (local.get $h0) (local.get $inW) (local.get $pairs))
        (local.set $ow (local.get $pairs))
        (block $owd (loop $owl
          (br_if $owd (i32.ge_s (local.get $ow) (local.get $outW)))
          (local.set $w0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
          (call $max_window (local.get $x) (local.get $inH) (local.get $inW) (local.get $h0) (local.get $w0) (local.get $kh) (local.get $kw)
            (i32.add (local.get $y) (i32.shl (local.get $ow) (i32.const 2))) (i32.add (local.get $arg) (i32.shl (local.get $ow) (i32.const 2))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owl)))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $outW) (i32.const 2))))
        (local.set $arg (i32.add (local.get $arg) (i32.shl (local.get $outW) (i32.const 2))))
        (br_if $ohl (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $outH))))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $inH) (local.get $inW)) (i32.const 2))))
      (br_if $pl_ (i32.lt_s (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $planes)))))

  ;; One output of max pooling: the window of rows h0 … h0 + kh − 1 and columns w0 … w0 + kw − 1,
  ;; clipped to the plane at x; its maximum to y, its index to arg.
  (func $max_window (param $x i32) (param $inH i32) (param $inW i32) (param $h0 i32) (param $w0 i32) (param $kh i32) (param $kw i32) (param $y i32) (param $arg i32)
    (local $h i32) (local $w i32) (local $hE i32) (local $wS i32) (local $wE i32) (local $i i32) (local $v f32) (local $best f32) (local $where i32) (local $take i32)
    (local.set $hE (i32.add (local.get $h0) (local.get $kh)))
    (if (i32.gt_s (local.get $hE) (local.get $inH)) (then (local.set $hE (local.get $inH))))
    (local.set $wE (i32.add (local.get $w0) (local.get $kw)))
    (if (i32.gt_s (local.get $wE) (local.get $inW)) (then (local.set $wE (local.get $inW))))
    (local.set $h (select (local.get $h0) (i32.const 0) (i32.gt_s (local.get $h0) (i32.const 0))))
    (local.set $wS (select (local.get $w0) (i32.const 0) (i32.gt_s (local.get $w0) (i32.const 0))))
    (local.set $best (f32.const -inf))
    (local.set $where (i32.const -1))
    (block $hd (loop $hl
      (br_if $hd (i32.ge_s (local.get $h) (local.get $hE)))
      (local.set $w (local.get $wS))
      (block $wd (loop $wl
        (br_if $wd (i32.ge_s (local.get $w) (local.get $wE)))
        (local.set $i (i32.add (i32.mul (local.get $h) (local.get $inW)) (local.get $w)))
        (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $take (i32.or (i32.or (f32.gt (local.get $v) (local.get $best)) (i32.lt_s (local.get $where) (i32.const 0)))
          (i32.and (f32.ne (local.get $v) (local.get $v)) (f32.eq (local.get $best) (local.get $best)))))
        (local.set $best (f32.reinterpret_i32 (select (i32.reinterpret_f32 (local.get $v)) (i32.reinterpret_f32 (local.get $best)) (local.get $take))))
        (local.set $where (select (local.get $i) (local.get $where) (local.get $take)))
        (local.set $w (i32.add (local.get $w) (i32.const 1)))
        (br $wl)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $hl)))
    (f32.store (local.get $y) (f32.reinterpret_i32 (select (i32.const 0) (i32.reinterpret_f32 (local.get $best)) (i32.lt_s (local.get $where) (i32.const 0)))))
    (i32.store (local.get $arg) (local.get $where)))

  ;; The first n (a multiple of 4) outputs of a row of 2×2, stride-2 max pooling: rows h0 and h0 + 1
  ;; of the plane at x, four windows at a time, candidates in window order.
  (func $max2x2 (param $x i32) (param $y i32) (param $arg i32) (param $h0 i32) (param $inW i32) (param $n i32)
    (local $ow i32) (local $r0 i32) (local $r1 i32) (local $a v128) (local $b v128) (local $v v128) (local $best v128) (local $where v128)
    (local $index v128) (local $take v128) (local $down v128)
    (local.set $r0 (i32.add (local.get $x) (i32.shl (i32.mul (local.get $h0) (local.get $inW)) (i32.const 2))))
    (local.set $r1 (i32.add (local.get $r0) (i32.shl (local.get $inW) (i32.const 2))))
    (local.set $index (i32x4.add (i32x4.splat (i32.mul (local.get $h0) (local.get $inW))) (v128.const i32x4 0 2 4 6)))
    (local.set $down (i32x4.splat (local.get $inW)))
    (block $done (loop $l
      (br_if $done (i32.ge_s (local.get $ow) (local.get $n)))
      ;; (h0, even columns) first: always taken.
      (local.set $a (v128.load offset=0 (local.get $r0)))
      (local.set $b (v128.load offset=16 (local.get $r0)))
      (local.set $best (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
      (local.set $where (local.get $index))
      ;; (h0, odd columns)
      (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
      (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best))
        (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $best) (local.get $best)))))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
      (local.set $where (v128.bitselect (i32x4.add (local.get $index) (v128.const i32x4 1 1 1 1)) (local.get $where) (local.get $take)))
      ;; (h0 + 1, even columns)
      (local.set $a (v128.load offset=0 (local.get $r1)))
      (local.set $b (v128.load offset=16 (local.get $r1)))
      (local.set $v (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
      (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best))
        (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $best) (local.get $best)))))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
      (local.set $where (v128.bitselect (i32x4.add (local.get $index) (local.get $down)) (local.get $where) (local.get $take)))
      ;; (h0 + 1, odd columns)
      (local.set $v (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
      (local.set $take (v128.or (f32x4.gt (local.get $v) (local.get $best))
        (v128.and (f32x4.ne (local.get $v) (local.get $v)) (f32x4.eq (local.get $best) (local.get $best)))))
      (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $take)))
      (local.set $where (v128.bitselect (i32x4.add (i32x4.add (local.get $index) (local.get $down)) (v128.const i32x4 1 1 1 1)) (local.get $where) (local.get $take)))
      (v128.store (local.get $y) (local.get $best))
      (v128.store (local.get $arg) (local.get $where))
      (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
      (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (local.set $arg (i32.add (local.get $arg) (i32.const 16)))
      (local.set $index (i32x4.add (local.get $index) (v128.const i32x4 8 8 8 8)))
      (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
      (br $l))))

  ;; gi[plane, arg[o]] += g[o] for each output o (of outPlane per plane) whose arg is ≥ 0.
  (func (export "maxpool_grad") (param $g i32) (param $gi i32) (param $arg i32) (param $planes i32) (param $inPlane i32) (param $outPlane i32)
    (local $p i32) (local $o i32) (local $where i32) (local $q i32)
    (if (i32.or (i32.le_s (local.get $planes) (i32.const 0)) (i32.le_s (local.get $outPlane) (i32.const 0))) (then (return)))
    (loop $pl_
      (local.set $o (i32.const 0))
      (loop $ol
        (local.set $where (i32.load (local.get $arg)))
        (if (i32.ge_s (local.get $where) (i32.const 0))
          (then
            (local.set $q (i32.add (local.get $gi) (i32.shl (local.get $where) (i32.const 2))))
            (f32.store (local.get $q) (f32.add (f32.load (local.get $q)) (f32.load (local.get $g))))))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (local.set $arg (i32.add (local.get $arg) (i32.const 4)))
        (br_if $ol (i32.lt_s (local.tee $o (i32.add (local.get $o) (i32.const 1))) (local.get $outPlane))))
      (local.set $gi (i32.add (local.get $gi) (i32.shl (local.get $inPlane) (i32.const 2))))
      (br_if $pl_ (i32.lt_s (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $planes)))))

  ;; ---------------------------------------------------------------- depthwise convolution
  ;; One call per sample, every channel. Each input plane is copied into the interior of a
  ;; zero-bordered H × W plane xp (zeroed once per call: the planes after it overwrite only the
  ;; interior), so that every window lies inside it: tap (ki, kj) of output (oh, ow) reads
  ;; xp[oh·sh + ki·dh, ow·sw + kj·dw]. Strides 1 and 2 take four outputs at a time (stride 2 picks
  ;; the even lanes of 8 loaded values with a shuffle, so xp needs 8 floats of slack after it); the last outputs
  ;; of a row run as one more group of four that overlaps the group before it: recomputed in the
  ;; forward pass, its repeated lanes masked out of the weight gradient. Other strides, and rows
  ;; narrower than 4, run one output at a time.

  ;; dst[top + r, left + c] = src[r, c] for the h × w plane at src, clipped to the H × W plane at dst.
  (func $place (param $src i32) (param $h i32) (param $w i32) (param $dst i32) (param $top i32) (param $left i32) (param $H i32) (param $W i32)
    (local $r i32) (local $rows i32) (local $cols i32)
    (local.set $rows (i32.sub (local.get $H) (local.get $top)))
    (if (i32.gt_s (local.get $rows) (local.get $h)) (then (local.set $rows (local.get $h))))
    (local.set $cols (i32.sub (local.get $W) (local.get $left)))
    (if (i32.gt_s (local.get $cols) (local.get $w)) (then (local.set $cols (local.get $w))))
    (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $top) (local.get $W)) (local.get $left)) (i32.const 2))))
    (block $done (loop $rl
      (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
      (call $copy (local.get $src) (local.get $dst) (local.get $cols))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $w) (i32.const 2))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $W) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; dst[top + r·sh, left + c·sw] = src[r, c] for the h × w plane at src, clipped to the H × W plane at dst.
  (func $place_step (param $src i32) (param $h i32) (param $w i32) (param $dst i32) (param $top i32) (param $left i32) (param $H i32) (param $W i32)
    (param $sh i32) (param $sw i32)
    (local $r i32) (local $c i32) (local $cols i32) (local $p i32) (local $q i32)
    (if (i32.or (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
      (then (if (i32.and (i32.eq (local.get $sh) (i32.const 1)) (i32.eq (local.get $sw) (i32.const 1)))
        (then (call $place (local.get $src) (local.get $h) (local.get $w) (local.get $dst) (local.get $top) (local.get $left) (local.get $H) (local.get $W))
          (return)))))
    ;; Columns c with left + c·sw < W.
    (local.set $cols (i32.div_u (i32.add (i32.sub (i32.sub (local.get $W) (local.get $left)) (i32.const 1)) (local.get $sw)) (local.get $sw)))
    (if (i32.gt_s (local.get $cols) (local.get $w)) (then (local.set $cols (local.get $w))))
    (block $done (loop $rl
      (br_if $done (i32.or (i32.ge_s (local.get $r) (local.get $h)) (i32.ge_s (i32.add (local.get $top) (i32.mul (local.get $r) (local.get $sh))) (local.get $H))))
      (local.set $p (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $w)) (i32.const 2))))
      (local.set $q (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $top) (i32.mul (local.get $r) (local.get $sh))) (local.get $W))
        (local.get $left)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $cd (loop $cl
        (br_if $cd (i32.ge_s (local.get $c) (local.get $cols)))
        (f32.store (local.get $q) (f32.load (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $q (i32.add (local.get $q) (i32.shl (local.get $sw) (i32.const 2))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; The reverse for gradients: dst (h × w) += the h × w window of src (H × W) at (top, left), clipped.
  (func $unplace (param $src i32) (param $H i32) (param $W i32) (param $top i32) (param $left i32) (param $dst i32) (param $h i32) (param $w i32)
    (local $r i32) (local $rows i32) (local $cols i32)
    (local.set $rows (i32.sub (local.get $H) (local.get $top)))
    (if (i32.gt_s (local.get $rows) (local.get $h)) (then (local.set $rows (local.get $h))))
    (local.set $cols (i32.sub (local.get $W) (local.get $left)))
    (if (i32.gt_s (local.get $cols) (local.get $w)) (then (local.set $cols (local.get $w))))
    (local.set $src (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $top) (local.get $W)) (local.get $left)) (i32.const 2))))
    (block $done (loop $rl
      (br_if $done (i32.ge_s (local.get $r) (local.get $rows)))
      (call $add_into (local.get $src) (local.get $dst) (local.get $cols))
      (local.set $src (i32.add (local.get $src) (i32.shl (local.get $W) (i32.const 2))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (local.get $w) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; y[oh, ow] = bias + Σ_(ki, kj) w[ki·kw + kj] · xp[oh·sh + ki·dh, ow·sw + kj·dw], taps in order.
  (func $dw_plane (param $xp i32) (param $W i32) (param $w i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $y i32) (param $outH i32) (param $outW i32) (param $bias f32)
    (local $oh i32) (local $ow i32) (local $ki i32) (local $kj i32) (local $row i32) (local $p i32) (local $t i32) (local $acc v128) (local $s f32)
    (local $W4 i32) (local $step i32) (local $dw4 i32) (local $simd i32)
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $dw4 (i32.shl (local.get $dw) (i32.const 2)))
    (local.set $simd (i32.and (i32.le_s (local.get $sw) (i32.const 2)) (i32.ge_s (local.get $outW) (i32.const 4))))
    (block $done (loop $ohl
      (br_if $done (i32.ge_s (local.get $oh) (local.get $outH)))
      (local.set $row (i32.add (local.get $xp) (i32.mul (i32.mul (local.get $oh) (local.get $sh)) (local.get $W4))))
      (local.set $ow (i32.const 0))
      (if (local.get $simd)
        (then
          (loop $vl
            ;; The last group ends at the row's end, overlapping the one before.
            (if (i32.gt_s (i32.add (local.get $ow) (i32.const 4)) (local.get $outW)) (then (local.set $ow (i32.sub (local.get $outW) (i32.const 4)))))
            (local.set $acc (f32x4.splat (local.get $bias)))
            (local.set $t (local.get $w))
            (local.set $ki (i32.const 0))
            (loop $kil
              (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (i32.mul (local.get $ki) (local.get $dh)) (local.get $W4)))
                (i32.mul (local.get $ow) (local.get $step))))
              (local.set $kj (i32.const 0))
              (loop $kjl
                (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (v128.load32_splat (local.get $t)) (if (result v128) (i32.eq (local.get $sw) (i32.const 1)) (then (v128.load (local.get $p))) (else (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (local.get $p)) (v128.load offset=16 (local.get $p))))))))
                (local.set $t (i32.add (local.get $t) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (local.get $dw4)))
                (br_if $kjl (i32.lt_s (local.tee $kj (i32.add (local.get $kj) (i32.const 1))) (local.get $kw))))
              (br_if $kil (i32.lt_s (local.tee $ki (i32.add (local.get $ki) (i32.const 1))) (local.get $kh))))
            (v128.store (i32.add (local.get $y) (i32.shl (local.get $ow) (i32.const 2))) (local.get $acc))
            (br_if $vl (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 4))) (local.get $outW))))))
      (block $sd (loop $sl
        (br_if $sd (i32.ge_s (local.get $ow) (local.get $outW)))
        (local.set $s (local.get $bias))
        (local.set $t (local.get $w))
        (local.set $ki (i32.const 0))
        (loop $kil
          (local.set $p (i32.add (i32.add (local.get $row) (i32.mul (i32.mul (local.get $ki) (local.get $dh)) (local.get $W4)))
            (i32.mul (local.get $ow) (local.get $step))))
          (local.set $kj (i32.const 0))
          (loop $kjl
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $t)) (f32.load (local.get $p)))))
            (local.set $t (i32.add (local.get $t) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (local.get $dw4)))
            (br_if $kjl (i32.lt_s (local.tee $kj (i32.add (local.get $kj) (i32.const 1))) (local.get $kw))))
          (br_if $kil (i32.lt_s (local.tee $ki (i32.add (local.get $ki) (i32.const 1))) (local.get $kh))))
        (f32.store (i32.add (local.get $y) (i32.shl (local.get $ow) (i32.const 2))) (local.get $s))
        (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
        (br $sl)))
      (local.set $y (i32.add (local.get $y) (i32.shl (local.get $outW) (i32.const 2))))
      (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
      (br $ohl))))

  ;; dxp[oh·sh + ki·dh, ow·sw + kj·dw] += w[ki·kw + kj] · dy[oh, ow], tap by tap, row by row.
  (func $dw_plane_data (param $dy i32) (param $outH i32) (param $outW i32) (param $w i32) (param $kh i32) (param $kw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $dxp i32) (param $W i32)
    (local $ki i32) (local $kj i32) (local $oh i32) (local $wt f32) (local $t i32) (local $src i32) (local $dst i32) (local $W4 i32)
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $t (local.get $w))
    (loop $kil
      (local.set $kj (i32.const 0))
      (loop $kjl
        (local.set $wt (f32.load (local.get $t)))
        (local.set $src (local.get $dy))
        (local.set $dst (i32.add (local.get $dxp) (i32.add (i32.mul (i32.mul (local.get $ki) (local.get $dh)) (local.get $W4))
          (i32.shl (i32.mul (local.get $kj) (local.get $dw)) (i32.const 2)))))
        (local.set $oh (i32.const 0))
        (loop $ohl
          (if (i32.eq (local.get $sw) (i32.const 1))
            (then (call $axpy (local.get $wt) (local.get $src) (local.get $dst) (local.get $outW)))
            (else (call $axpy_step (local.get $wt) (local.get $src) (local.get $dst) (i32.shl (local.get $sw) (i32.const 2)) (local.get $outW))))
          (local.set $src (i32.add (local.get $src) (i32.shl (local.get $outW) (i32.const 2))))
          (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $sh) (local.get $W4))))
          (br_if $ohl (i32.lt_s (local.tee $oh (i32.add (local.get $oh) (i32.const 1))) (local.get $outH))))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br_if $kjl (i32.lt_s (local.tee $kj (i32.add (local.get $kj) (i32.const 1))) (local.get $kw))))
      (br_if $kil (i32.lt_s (local.tee $ki (i32.add (local.get $ki) (i32.const 1))) (local.get $kh)))))

  ;; dst[i·step] += w · src[i] for i < n.
  (func $axpy_step (param $w f32) (param $src i32) (param $dst i32) (param $step i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 2))))
    (block $s (loop $l
      (br_if $s (i32.ge_s (local.get $src) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.mul (local.get $w) (f32.load (local.get $src)))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (local.get $step)))
      (br $l))))

  ;; acc[ki·kw + kj] += Σ_(oh, ow) dy[oh, ow] · xp[oh·sh + ki·dh, ow·sw + kj·dw]: per tap, four lanes
  ;; summed over every row's groups (the last one's repeated lanes masked), added as
  ;; (0 + 1) + (2 + 3); one output at a time where four-wide groups do not apply.
  (func $dw_plane_filter (param $dy i32) (param $outH i32) (param $outW i32) (param $xp i32) (param $W i32) (param $kh i32) (param $kw i32)
    (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $acc i32)
    (local $ki i32) (local $kj i32) (local $oh i32) (local $ow i32) (local $g i32) (local $p i32) (local $base i32) (local $t i32)
    (local $v v128) (local $s f32) (local $W4 i32) (local $step i32) (local $simd i32) (local $mask v128) (local $last v128) (local $q i32)
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $simd (i32.and (i32.le_s (local.get $sw) (i32.const 2)) (i32.ge_s (local.get $outW) (i32.const 4))))
    ;; The last group of a row, where outW mod 4 = r > 0, keeps its last r lanes.
    (local.set $mask (i32x4.gt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (i32.const 3) (i32.and (local.get $outW) (i32.const 3))))))
    (local.set $t (local.get $acc))
    (local.set $ki (i32.const 0))
    (loop $kil
      (local.set $kj (i32.const 0))
      (loop $kjl
        (local.set $v (v128.const i32x4 0 0 0 0))
        (local.set $s (f32.const 0))
        ;; base: tap (ki, kj) of output (0, 0).
        (local.set $base (i32.add (local.get $xp) (i32.add (i32.mul (i32.mul (local.get $ki) (local.get $dh)) (local.get $W4))
          (i32.shl (i32.mul (local.get $kj) (local.get $dw)) (i32.const 2)))))
        (local.set $oh (i32.const 0))
        (block $rd (loop $ohl
          (br_if $rd (i32.ge_s (local.get $oh) (local.get $outH)))
          (local.set $g (i32.add (local.get $dy) (i32.shl (i32.mul (local.get $oh) (local.get $outW)) (i32.const 2))))
          (local.set $p (i32.add (local.get $base) (i32.mul (i32.mul (local.get $oh) (local.get $sh)) (local.get $W4))))
          (local.set $ow (i32.const 0))
          (if (local.get $simd)
            (then
              (block $ld (loop $ll
                (br_if $ld (i32.gt_s (i32.add (local.get $ow) (i32.const 4)) (local.get $outW)))
                (local.set $q (i32.add (local.get $p) (i32.mul (local.get $ow) (local.get $step))))
                (local.set $v (f32x4.add (local.get $v) (f32x4.mul
                  (v128.load (i32.add (local.get $g) (i32.shl (local.get $ow) (i32.const 2))))
                  (if (result v128) (i32.eq (local.get $sw) (i32.const 1)) (then (v128.load (local.get $q))) (else (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (local.get $q)) (v128.load offset=16 (local.get $q))))))))
                (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
                (br $ll)))
              (if (i32.lt_s (local.get $ow) (local.get $outW))
                (then
                  (local.set $ow (i32.sub (local.get $outW) (i32.const 4)))
                  (local.set $q (i32.add (local.get $p) (i32.mul (local.get $ow) (local.get $step))))
                  (local.set $last (f32x4.mul
                    (v128.load (i32.add (local.get $g) (i32.shl (local.get $ow) (i32.const 2))))
                    (if (result v128) (i32.eq (local.get $sw) (i32.const 1)) (then (v128.load (local.get $q))) (else (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (local.get $q)) (v128.load offset=16 (local.get $q)))))))
                  (local.set $v (f32x4.add (local.get $v) (v128.and (local.get $last) (local.get $mask))))))
              (local.set $ow (local.get $outW))))
          (block $sd (loop $sl
            (br_if $sd (i32.ge_s (local.get $ow) (local.get $outW)))
            (local.set $s (f32.add (local.get $s) (f32.mul
              (f32.load (i32.add (local.get $g) (i32.shl (local.get $ow) (i32.const 2))))
              (f32.load (i32.add (local.get $p) (i32.mul (local.get $ow) (local.get $step)))))))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (br $sl)))
          (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
          (br $ohl)))
        (local.set $s (f32.add (local.get $s) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
          (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))))
        (f32.store (local.get $t) (f32.add (f32.load (local.get $t)) (local.get $s)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br_if $kjl (i32.lt_s (local.tee $kj (i32.add (local.get $kj) (i32.const 1))) (local.get $kw))))
      (br_if $kil (i32.lt_s (local.tee $ki (i32.add (local.get $ki) (i32.const 1))) (local.get $kh)))))

  ;; The forward pass of a 3×3 window with dilation 1 and stride 1 or 2 (the common depthwise
  ;; layer), its nine weights held in registers: the sums and their order are $dw_plane's.
  (func $dw3_plane (param $xp i32) (param $W i32) (param $w i32) (param $sh i32) (param $sw i32) (param $y i32) (param $outH i32) (param $outW i32)
    (param $bias f32)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128) (local $w5 v128) (local $w6 v128) (local $w7 v128)
    (local $w8 v128) (local $acc v128) (local $vb v128) (local $oh i32) (local $ow i32) (local $r0 i32) (local $r1 i32) (local $r2 i32)
    (local $p i32) (local $W4 i32) (local $step i32) (local $one i32)
    (local.set $w0 (v128.load32_splat offset=0 (local.get $w)))
    (local.set $w1 (v128.load32_splat offset=4 (local.get $w)))
    (local.set $w2 (v128.load32_splat offset=8 (local.get $w)))
    (local.set $w3 (v128.load32_splat offset=12 (local.get $w)))
    (local.set $w4 (v128.load32_splat offset=16 (local.get $w)))
    (local.set $w5 (v128.load32_splat offset=20 (local.get $w)))
    (local.set $w6 (v128.load32_splat offset=24 (local.get $w)))
    (local.set $w7 (v128.load32_splat offset=28 (local.get $w)))
    (local.set $w8 (v128.load32_splat offset=32 (local.get $w)))
    (local.set $vb (f32x4.splat (local.get $bias)))
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $one (i32.eq (local.get $sw) (i32.const 1)))
    (block $done (loop $ohl
      (br_if $done (i32.ge_s (local.get $oh) (local.get $outH)))
      (local.set $r0 (i32.add (local.get $xp) (i32.mul (i32.mul (local.get $oh) (local.get $sh)) (local.get $W4))))
      (local.set $r1 (i32.add (local.get $r0) (local.get $W4)))
      (local.set $r2 (i32.add (local.get $r1) (local.get $W4)))
      (local.set $ow (i32.const 0))
      (loop $vl
        (if (i32.gt_s (i32.add (local.get $ow) (i32.const 4)) (local.get $outW)) (then (local.set $ow (i32.sub (local.get $outW) (i32.const 4)))))
        (local.set $p (i32.mul (local.get $ow) (local.get $step)))
        (local.set $acc (local.get $vb))
        (if (local.get $one)
          (then
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w0) (v128.load offset=0 (i32.add (local.get $r0) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w1) (v128.load offset=4 (i32.add (local.get $r0) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w2) (v128.load offset=8 (i32.add (local.get $r0) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w3) (v128.load offset=0 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w4) (v128.load offset=4 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w5) (v128.load offset=8 (i32.add (local.get $r1) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w6) (v128.load offset=0 (i32.add (local.get $r2) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w7) (v128.load offset=4 (i32.add (local.get $r2) (local.get $p))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w8) (v128.load offset=8 (i32.add (local.get $r2) (local.get $p)))))))
          (else
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w0) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r0) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r0) (local.get $p)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w1) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 4)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w2) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 8)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w3) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r1) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r1) (local.get $p)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w4) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 4)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w5) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 8)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w6) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r2) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r2) (local.get $p)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w7) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 4)))))))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $w8) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 8)))))))))
        (v128.store (i32.add (local.get $y) (i32.shl (local.get $ow) (i32.const 2))) (local.get $acc))
        (br_if $vl (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 4))) (local.get $outW))))
      (local.set $y (i32.add (local.get $y) (i32.shl (local.get $outW) (i32.const 2))))
      (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
      (br $ohl))))

  ;; $dw_plane_filter for a 3×3 window with dilation 1 and stride 1 or 2: the nine taps in one pass
  ;; over dy, each with its own four lanes, summed as $dw_plane_filter sums them.
  (func $dw3_filter (param $dy i32) (param $outH i32) (param $outW i32) (param $xp i32) (param $W i32) (param $sh i32) (param $sw i32) (param $acc i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $a8 v128) (local $d v128) (local $mask v128) (local $oh i32) (local $ow i32) (local $r0 i32) (local $r1 i32) (local $r2 i32)
    (local $p i32) (local $W4 i32) (local $step i32) (local $one i32) (local $g i32)
    (local.set $W4 (i32.shl (local.get $W) (i32.const 2)))
    (local.set $step (i32.shl (local.get $sw) (i32.const 2)))
    (local.set $one (i32.eq (local.get $sw) (i32.const 1)))
    (local.set $g (local.get $dy))
    (block $done (loop $ohl
      (br_if $done (i32.ge_s (local.get $oh) (local.get $outH)))
      (local.set $r0 (i32.add (local.get $xp) (i32.mul (i32.mul (local.get $oh) (local.get $sh)) (local.get $W4))))
      (local.set $r1 (i32.add (local.get $r0) (local.get $W4)))
      (local.set $r2 (i32.add (local.get $r1) (local.get $W4)))
      (local.set $ow (i32.const 0))
      (loop $vl
        (local.set $mask (v128.const i32x4 -1 -1 -1 -1))
        (if (i32.gt_s (i32.add (local.get $ow) (i32.const 4)) (local.get $outW))
          (then
            ;; The last group overlaps the one before: keep only its last outW − ow lanes.
            (local.set $mask (i32x4.gt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.sub (i32.add (local.get $ow) (i32.const 3)) (local.get $outW)))))
            (local.set $ow (i32.sub (local.get $outW) (i32.const 4)))))
        (local.set $p (i32.mul (local.get $ow) (local.get $step)))
        (local.set $d (v128.load (i32.add (local.get $g) (i32.shl (local.get $ow) (i32.const 2)))))
        (if (local.get $one)
          (then
            (local.set $a0 (f32x4.add (local.get $a0) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=0 (i32.add (local.get $r0) (local.get $p)))))))
            (local.set $a1 (f32x4.add (local.get $a1) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=4 (i32.add (local.get $r0) (local.get $p)))))))
            (local.set $a2 (f32x4.add (local.get $a2) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=8 (i32.add (local.get $r0) (local.get $p)))))))
            (local.set $a3 (f32x4.add (local.get $a3) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=0 (i32.add (local.get $r1) (local.get $p)))))))
            (local.set $a4 (f32x4.add (local.get $a4) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=4 (i32.add (local.get $r1) (local.get $p)))))))
            (local.set $a5 (f32x4.add (local.get $a5) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=8 (i32.add (local.get $r1) (local.get $p)))))))
            (local.set $a6 (f32x4.add (local.get $a6) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=0 (i32.add (local.get $r2) (local.get $p)))))))
            (local.set $a7 (f32x4.add (local.get $a7) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=4 (i32.add (local.get $r2) (local.get $p)))))))
            (local.set $a8 (f32x4.add (local.get $a8) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (v128.load offset=8 (i32.add (local.get $r2) (local.get $p))))))))
          (else
            (local.set $a0 (f32x4.add (local.get $a0) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r0) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r0) (local.get $p))))))))
            (local.set $a1 (f32x4.add (local.get $a1) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 4))))))))
            (local.set $a2 (f32x4.add (local.get $a2) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r0) (local.get $p)) (i32.const 8))))))))
            (local.set $a3 (f32x4.add (local.get $a3) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r1) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r1) (local.get $p))))))))
            (local.set $a4 (f32x4.add (local.get $a4) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 4))))))))
            (local.set $a5 (f32x4.add (local.get $a5) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r1) (local.get $p)) (i32.const 8))))))))
            (local.set $a6 (f32x4.add (local.get $a6) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (local.get $r2) (local.get $p))) (v128.load offset=16 (i32.add (local.get $r2) (local.get $p))))))))
            (local.set $a7 (f32x4.add (local.get $a7) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 4))) (v128.load offset=16 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 4))))))))
            (local.set $a8 (f32x4.add (local.get $a8) (v128.and (local.get $mask) (f32x4.mul (local.get $d) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (v128.load offset=0 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 8))) (v128.load offset=16 (i32.add (i32.add (local.get $r2) (local.get $p)) (i32.const 8))))))))))
        (br_if $vl (i32.lt_s (local.tee $ow (i32.add (local.get $ow) (i32.const 4))) (local.get $outW))))
      (local.set $g (i32.add (local.get $g) (i32.shl (local.get $outW) (i32.const 2))))
      (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
      (br $ohl)))
    (call $add_lanes (local.get $acc) (local.get $a0))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 4)) (local.get $a1))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 8)) (local.get $a2))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 12)) (local.get $a3))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 16)) (local.get $a4))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 20)) (local.get $a5))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 24)) (local.get $a6))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 28)) (local.get $a7))
    (call $add_lanes (i32.add (local.get $acc) (i32.const 32)) (local.get $a8)))

  ;; mem[at] += (v0 + v1) + (v2 + v3).
  (func $add_lanes (param $at i32) (param $v v128)
    (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))))

  ;; $dw_plane, or $dw3_plane where it applies (the same sums).
  (func $plane_forward (param $xp i32) (param $W i32) (param $w i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $y i32) (param $outH i32) (param $outW i32) (param $bias f32)
    (if (call $is3x3 (local.get $kh) (local.get $kw) (local.get $sw) (local.get $dh) (local.get $dw) (local.get $outW))
      (then (call $dw3_plane (local.get $xp) (local.get $W) (local.get $w) (local.get $sh) (local.get $sw) (local.get $y) (local.get $outH)
        (local.get $outW) (local.get $bias)))
      (else (call $dw_plane (local.get $xp) (local.get $W) (local.get $w) (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw)
        (local.get $dh) (local.get $dw) (local.get $y) (local.get $outH) (local.get $outW) (local.get $bias)))))

  ;; Whether the 3×3 kernels apply: 3×3, dilation 1, stride 1 or 2 across, rows of at least 4.
  (func $is3x3 (param $kh i32) (param $kw i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $outW i32) (result i32)
    (i32.and (i32.and (i32.and (i32.eq (local.get $kh) (i32.const 3)) (i32.eq (local.get $kw) (i32.const 3)))
                      (i32.and (i32.eq (local.get $dh) (i32.const 1)) (i32.eq (local.get $dw) (i32.const 1))))
             (i32.and (i32.le_u (i32.sub (local.get $sw) (i32.const 1)) (i32.const 1)) (i32.ge_s (local.get $outW) (i32.const 4)))))

  ;; Depthwise forward for one sample: y (channels·m planes outH × outW) = depthwise(x (channels
  ;; planes inH × inW), w [channels·m, kh·kw]) + bias [channels·m] (none where bias = 0); output
  ;; channel c·m + j filters input channel c. xp: the H × W padded plane (and its slack).
  (func (export "dw_forward") (param $x i32) (param $channels i32) (param $inH i32) (param $inW i32) (param $m i32) (param $w i32) (param $bias i32)
    (param $y i32) (param $outH i32) (param $outW i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32) (param $xp i32) (param $H i32) (param $W i32)
    (local $c i32) (local $j i32) (local $o i32) (local $taps4 i32) (local $plane4 i32)
    (if (i32.or (i32.le_s (local.get $channels) (i32.const 0)) (i32.le_s (i32.mul (local.get $outH) (local.get $outW)) (i32.const 0))) (then (return)))
    (call $zero (local.get $xp) (i32.mul (local.get $H) (local.get $W)))
    (local.set $taps4 (i32.shl (i32.mul (local.get $kh) (local.get $kw)) (i32.const 2)))
    (local.set $plane4 (i32.shl (i32.mul (local.get $outH) (local.get $outW)) (i32.const 2)))
    (loop $cl
      (call $place (local.get $x) (local.get $inH) (local.get $inW) (local.get $xp) (local.get $pt) (local.get $pl) (local.get $H) (local.get $W))
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $o (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $j)))
        (call $plane_forward (local.get $xp) (local.get $W) (i32.add (local.get $w) (i32.mul (local.get $o) (local.get $taps4)))
          (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw)
          (i32.add (local.get $y) (i32.mul (local.get $o) (local.get $plane4))) (local.get $outH) (local.get $outW)
          (if (result f32) (local.get $bias) (then (f32.load (i32.add (local.get $bias) (i32.shl (local.get $o) (i32.const 2))))) (else (f32.const 0))))
        (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $m))))
      (local.set $x (i32.add (local.get $x) (i32.shl (i32.mul (local.get $inH) (local.get $inW)) (i32.const 2))))
      (br_if $cl (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels)))))

  ;; Depthwise backward for one sample, from dy (channels·m planes outH × outW): the weight
  ;; gradient added into acc [channels·m, kh·kw] (none where acc = 0) and the input gradient into
  ;; dx (none where dx = 0). The weight gradient reads x through the padded plane xp (H × W). The
  ;; input gradient, where wf ≠ 0, is a stride-1 forward pass: dy spread out by the strides at
  ;; (T, L) in the zeroed H2 × W2 plane dyp, filtered with the flipped weights wf into the plane tmp
  ;; and added to dx; otherwise each dy value is scattered into the padded plane dxp (H × W), then
  ;; added to dx.
  (func (export "dw_backward") (param $x i32) (param $dy i32) (param $dx i32) (param $acc i32) (param $channels i32) (param $inH i32) (param $inW i32)
    (param $m i32) (param $w i32) (param $outH i32) (param $outW i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32) (param $dh i32)
    (param $dw i32) (param $pt i32) (param $pl i32) (param $xp i32) (param $dxp i32) (param $H i32) (param $W i32)
    (param $wf i32) (param $dyp i32) (param $tmp i32) (param $T i32) (param $L i32) (param $H2 i32) (param $W2 i32)
    (local $c i32) (local $j i32) (local $o i32) (local $taps4 i32) (local $plane4 i32) (local $g i32) (local $inPlane i32)
    (if (i32.or (i32.le_s (local.get $channels) (i32.const 0)) (i32.le_s (i32.mul (local.get $outH) (local.get $outW)) (i32.const 0))) (then (return)))
    (if (local.get $acc) (then (call $zero (local.get $xp) (i32.mul (local.get $H) (local.get $W)))))
    (if (i32.and (i32.ne (local.get $dx) (i32.const 0)) (i32.ne (local.get $wf) (i32.const 0)))
      (then (call $zero (local.get $dyp) (i32.mul (local.get $H2) (local.get $W2)))))
    (local.set $taps4 (i32.shl (i32.mul (local.get $kh) (local.get $kw)) (i32.const 2)))
    (local.set $plane4 (i32.shl (i32.mul (local.get $outH) (local.get $outW)) (i32.const 2)))
    (local.set $inPlane (i32.mul (local.get $inH) (local.get $inW)))
    (loop $cl
      (if (local.get $acc)
        (then (call $place (local.get $x) (local.get $inH) (local.get $inW) (local.get $xp) (local.get $pt) (local.get $pl) (local.get $H) (local.get $W))))
      (if (i32.and (i32.ne (local.get $dx) (i32.const 0)) (i32.eqz (local.get $wf))) (then (call $zero (local.get $dxp) (i32.mul (local.get $H) (local.get $W)))))
      (local.set $j (i32.const 0))
      (loop $jl
        (local.set $o (i32.add (i32.mul (local.get $c) (local.get $m)) (local.get $j)))
        (local.set $g (i32.add (local.get $dy) (i32.mul (local.get $o) (local.get $plane4))))
        (if (local.get $acc)
          (then
            (if (call $is3x3 (local.get $kh) (local.get $kw) (local.get $sw) (local.get $dh) (local.get $dw) (local.get $outW))
              (then (call $dw3_filter (local.get $g) (local.get $outH) (local.get $outW) (local.get $xp) (local.get $W) (local.get $sh) (local.get $sw)
                (i32.add (local.get $acc) (i32.mul (local.get $o) (local.get $taps4)))))
              (else (call $dw_plane_filter (local.get $g) (local.get $outH) (local.get $outW) (local.get $xp) (local.get $W) (local.get $kh) (local.get $kw)
                (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw) (i32.add (local.get $acc) (i32.mul (local.get $o) (local.get $taps4))))))))
        (if (local.get $dx)
          (then
            (if (local.get $wf)
              (then
                (call $place_step (local.get $g) (local.get $outH) (local.get $outW) (local.get $dyp) (local.get $T) (local.get $L) (local.get $H2) (local.get $W2)
                  (local.get $sh) (local.get $sw))
                (call $plane_forward (local.get $dyp) (local.get $W2) (i32.add (local.get $wf) (i32.mul (local.get $o) (local.get $taps4)))
                  (local.get $kh) (local.get $kw) (i32.const 1) (i32.const 1) (local.get $dh) (local.get $dw) (local.get $tmp) (local.get $inH) (local.get $inW)
                  (f32.const 0))
                (call $add_into (local.get $tmp) (local.get $dx) (local.get $inPlane)))
              (else (call $dw_plane_data (local.get $g) (local.get $outH) (local.get $outW) (i32.add (local.get $w) (i32.mul (local.get $o) (local.get $taps4)))
                (local.get $kh) (local.get $kw) (local.get $sh) (local.get $sw) (local.get $dh) (local.get $dw) (local.get $dxp) (local.get $W))))))
        (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $m))))
      (if (local.get $dx)
        (then
          (if (i32.eqz (local.get $wf))
            (then (call $unplace (local.get $dxp) (local.get $H) (local.get $W) (local.get $pt) (local.get $pl) (local.get $dx) (local.get $inH) (local.get $inW))))
          (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $inPlane) (i32.const 2))))))
      (local.set $x (i32.add (local.get $x) (i32.shl (local.get $inPlane) (i32.const 2))))
      (br_if $cl (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels)))))

  ;; Winograd F(2×2, 3×3), input side, for one sample: each channel's 4×4 input tiles d (tile (i, j)
  ;; starts at row 2i − pt, column 2j − pl; zeros outside the plane) become V = Bᵀ d B, element (ξ, ν) of
  ;; tile t = i·tilesW + j of channel c stored at v + 4·((4ξ + ν)·ldm + c·ldv + t). Bᵀ = [1 0 −1 0;
  ;; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]. The plane is first copied, zero-padded, into scratch with each row's
  ;; even and odd columns apart (E and O, tilesW + 4 each), so that four neighbouring tiles' columns
  ;; are four consecutive floats; four tiles are transformed at a time. A row's last group may write
  ;; up to three tiles past its end: the next row's tiles are written after, and the caller leaves
  ;; room (ldv) after the last.
  (func (export "wino_in") (param $x i32) (param $channels i32) (param $inH i32) (param $inW i32) (param $pt i32) (param $pl i32)
    (param $tilesH i32) (param $tilesW i32) (param $v i32) (param $ldv i32) (param $ldm i32) (param $scratch i32)
    (local $c i32) (local $rows i32) (local $len i32) (local $plane i32) (local $i i32) (local $j i32) (local $p i32) (local $out i32)
    (local $mat i32) (local $rowBytes i32)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $r0e0 v128) (local $r1e0 v128) (local $r2e0 v128) (local $r3e0 v128)
    (local $r0e1 v128) (local $r1e1 v128) (local $r2e1 v128) (local $r3e1 v128)
    (local $r0o0 v128) (local $r1o0 v128) (local $r2o0 v128) (local $r3o0 v128)
    (local $r0o1 v128) (local $r1o1 v128) (local $r2o1 v128) (local $r3o1 v128)
    (local.set $rows (i32.add (i32.shl (local.get $tilesH) (i32.const 1)) (i32.const 2)))
    (local.set $len (i32.add (local.get $tilesW) (i32.const 4)))
    (local.set $rowBytes (i32.shl (local.get $len) (i32.const 3)))
    (local.set $mat (i32.shl (local.get $ldm) (i32.const 2)))
    (local.set $plane (local.get $x))
    (block $done (br_if $done (i32.le_s (local.get $channels) (i32.const 0)))
    (loop $cl
      (call $wino_split (local.get $plane) (local.get $inH) (local.get $inW) (local.get $pt) (local.get $pl) (local.get $rows) (local.get $len) (local.get $scratch))
      ;; Tiles, four at a time along a row.
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $j (i32.const 0))
        (loop $jl
          ;; p: E[j] of the tile row's first padded row; rows are rowBytes apart, O is len floats after E.
          (local.set $p (i32.add (i32.add (local.get $scratch) (i32.mul (i32.shl (local.get $i) (i32.const 1)) (local.get $rowBytes)))
            (i32.shl (local.get $j) (i32.const 2))))
          (local.set $d0 (v128.load (i32.add (local.get $p) (i32.add (i32.const 0) (i32.const 0)))))
          (local.set $d1 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 1) (local.get $rowBytes)) (i32.const 0)))))
          (local.set $d2 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 2) (local.get $rowBytes)) (i32.const 0)))))
          (local.set $d3 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 3) (local.get $rowBytes)) (i32.const 0)))))
          (local.set $r0e0 (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $r1e0 (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $r2e0 (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $r3e0 (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $d0 (v128.load (i32.add (local.get $p) (i32.add (i32.const 0) (i32.const 4)))))
          (local.set $d1 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 1) (local.get $rowBytes)) (i32.const 4)))))
          (local.set $d2 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 2) (local.get $rowBytes)) (i32.const 4)))))
          (local.set $d3 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 3) (local.get $rowBytes)) (i32.const 4)))))
          (local.set $r0e1 (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $r1e1 (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $r2e1 (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $r3e1 (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $d0 (v128.load (i32.add (local.get $p) (i32.add (i32.const 0) (i32.shl (local.get $len) (i32.const 2))))))
          (local.set $d1 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 1) (local.get $rowBytes)) (i32.shl (local.get $len) (i32.const 2))))))
          (local.set $d2 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 2) (local.get $rowBytes)) (i32.shl (local.get $len) (i32.const 2))))))
          (local.set $d3 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 3) (local.get $rowBytes)) (i32.shl (local.get $len) (i32.const 2))))))
          (local.set $r0o0 (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $r1o0 (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $r2o0 (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $r3o0 (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $d0 (v128.load (i32.add (local.get $p) (i32.add (i32.const 0) (i32.add (i32.shl (local.get $len) (i32.const 2)) (i32.const 4))))))
          (local.set $d1 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 1) (local.get $rowBytes)) (i32.add (i32.shl (local.get $len) (i32.const 2)) (i32.const 4))))))
          (local.set $d2 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 2) (local.get $rowBytes)) (i32.add (i32.shl (local.get $len) (i32.const 2)) (i32.const 4))))))
          (local.set $d3 (v128.load (i32.add (local.get $p) (i32.add (i32.mul (i32.const 3) (local.get $rowBytes)) (i32.add (i32.shl (local.get $len) (i32.const 2)) (i32.const 4))))))
          (local.set $r0o1 (f32x4.sub (local.get $d0) (local.get $d2)))
          (local.set $r1o1 (f32x4.add (local.get $d1) (local.get $d2)))
          (local.set $r2o1 (f32x4.sub (local.get $d2) (local.get $d1)))
          (local.set $r3o1 (f32x4.sub (local.get $d1) (local.get $d3)))
          (local.set $out (i32.add (local.get $v) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ldv))
            (i32.add (i32.mul (local.get $i) (local.get $tilesW)) (local.get $j))) (i32.const 2))))
          (v128.store (local.get $out) (f32x4.sub (local.get $r0e0) (local.get $r0e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r0o0) (local.get $r0e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r0e1) (local.get $r0o0)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r0o0) (local.get $r0o1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r1e0) (local.get $r1e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r1o0) (local.get $r1e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r1e1) (local.get $r1o0)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r1o0) (local.get $r1o1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r2e0) (local.get $r2e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r2o0) (local.get $r2e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r2e1) (local.get $r2o0)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r2o0) (local.get $r2o1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r3e0) (local.get $r3e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r3o0) (local.get $r3e1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r3e1) (local.get $r3o0)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r3o0) (local.get $r3o1)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $tilesW))))
        (br_if $il (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $tilesH))))
      (local.set $plane (i32.add (local.get $plane) (i32.shl (i32.mul (local.get $inH) (local.get $inW)) (i32.const 2))))
      (br_if $cl (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels))))))

  ;; Winograd F(2×2, 3×3), output side, for one sample: from M (element (ξ, ν) of tile t of row k at
  ;; m + 4·((4ξ + ν)·ldm + k·ldv + t)), each 2×2 output tile Aᵀ M A, Aᵀ = [1 1 1 0; 0 1 −1 −1], four tiles
  ;; at a time into two scratch rows (2·tilesW + 8 floats each), whose first outW values then go to
  ;; rows 2i and 2i + 1 of plane k at y (those below outH): stored, plus bias[k] where bias ≠ 0, or
  ;; added to what y holds where acc ≠ 0.
  (func (export "wino_out") (param $m i32) (param $ldv i32) (param $ldm i32) (param $rows i32) (param $tilesH i32) (param $tilesW i32)
    (param $y i32) (param $outH i32) (param $outW i32) (param $bias i32) (param $acc i32) (param $scratch i32)
    (local $k i32) (local $i i32) (local $j i32) (local $at i32) (local $mat i32) (local $half i32) (local $r i32) (local $oy i32)
    (local $src i32) (local $dst i32) (local $end i32) (local $bs f32) (local $b v128) (local $plane i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $y00 v128) (local $y01 v128) (local $y10 v128) (local $y11 v128)
    (local.set $mat (i32.shl (local.get $ldm) (i32.const 2)))
    (local.set $half (i32.add (i32.shl (local.get $tilesW) (i32.const 3)) (i32.const 32)))
    (local.set $plane (local.get $y))
    (block $done (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
    (loop $kl
      (local.set $bs (f32.const 0))
      (if (local.get $bias) (then (local.set $bs (f32.load (i32.add (local.get $bias) (i32.shl (local.get $k) (i32.const 2)))))))
      (local.set $b (f32x4.splat (local.get $bs)))
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $j (i32.const 0))
        (loop $jl
          (local.set $at (i32.add (local.get $m) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $ldv))
            (i32.add (i32.mul (local.get $i) (local.get $tilesW)) (local.get $j))) (i32.const 2))))
          (local.set $a0 (f32x4.add (f32x4.add (v128.load (local.get $at)) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 4) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 8) (local.get $mat))))))
          (local.set $b0 (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $at) (i32.mul (i32.const 4) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 8) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 12) (local.get $mat))))))
          (local.set $a1 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $at) (i32.mul (i32.const 1) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 5) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 9) (local.get $mat))))))
          (local.set $b1 (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $at) (i32.mul (i32.const 5) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 9) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 13) (local.get $mat))))))
          (local.set $a2 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $at) (i32.mul (i32.const 2) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 6) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 10) (local.get $mat))))))
          (local.set $b2 (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $at) (i32.mul (i32.const 6) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 10) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 14) (local.get $mat))))))
          (local.set $a3 (f32x4.add (f32x4.add (v128.load (i32.add (local.get $at) (i32.mul (i32.const 3) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 7) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 11) (local.get $mat))))))
          (local.set $b3 (f32x4.sub (f32x4.sub (v128.load (i32.add (local.get $at) (i32.mul (i32.const 7) (local.get $mat)))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 11) (local.get $mat))))) (v128.load (i32.add (local.get $at) (i32.mul (i32.const 15) (local.get $mat))))))
          (local.set $y00 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (local.get $a2)))
          (local.set $y01 (f32x4.sub (f32x4.sub (local.get $a1) (local.get $a2)) (local.get $a3)))
          (local.set $y10 (f32x4.add (f32x4.add (local.get $b0) (local.get $b1)) (local.get $b2)))
          (local.set $y11 (f32x4.sub (f32x4.sub (local.get $b1) (local.get $b2)) (local.get $b3)))
          ;; interleaved: row 0 = y00[0] y01[0] y00[1] y01[1] …, row 1 likewise from y10, y11
          (local.set $dst (i32.add (local.get $scratch) (i32.shl (local.get $j) (i32.const 3))))
          (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $y00) (local.get $y01)))
          (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $y00) (local.get $y01)))
          (local.set $dst (i32.add (local.get $dst) (local.get $half)))
          (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $y10) (local.get $y11)))
          (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $y10) (local.get $y11)))
          (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $tilesW))))
        ;; The two rows out.
        (local.set $r (i32.const 0))
        (loop $rl
          (local.set $oy (i32.add (i32.shl (local.get $i) (i32.const 1)) (local.get $r)))
          (if (i32.lt_s (local.get $oy) (local.get $outH))
            (then
              (local.set $src (i32.add (local.get $scratch) (i32.mul (local.get $r) (local.get $half))))
              (local.set $dst (i32.add (local.get $plane) (i32.shl (i32.mul (local.get $oy) (local.get $outW)) (i32.const 2))))
              (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $outW) (i32.const 2))))
              (if (local.get $acc)
                (then
                  (block $vd (loop $vl
                    (br_if $vd (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
                    (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $dst)) (v128.load (local.get $src))))
                    (local.set $src (i32.add (local.get $src) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (br $vl)))
                  (block $sd (loop $sl
                    (br_if $sd (i32.ge_s (local.get $dst) (local.get $end)))
                    (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
                    (local.set $src (i32.add (local.get $src) (i32.const 4)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (br $sl))))
                (else
                  (block $vd (loop $vl
                    (br_if $vd (i32.gt_s (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
                    (v128.store (local.get $dst) (f32x4.add (v128.load (local.get $src)) (local.get $b)))
                    (local.set $src (i32.add (local.get $src) (i32.const 16)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
                    (br $vl)))
                  (block $sd (loop $sl
                    (br_if $sd (i32.ge_s (local.get $dst) (local.get $end)))
                    (f32.store (local.get $dst) (f32.add (f32.load (local.get $src)) (local.get $bs)))
                    (local.set $src (i32.add (local.get $src) (i32.const 4)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (br $sl)))))))
          (br_if $rl (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 1))) (i32.const 2))))
        (br_if $il (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $tilesH))))
      (local.set $plane (i32.add (local.get $plane) (i32.shl (i32.mul (local.get $outH) (local.get $outW)) (i32.const 2))))
      (br_if $kl (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $rows))))))

  ;; The plane at x (inH × inW), padded (row q, column e hold x[q − pt, e − pl], zero outside), into rows
  ;; of scratch, each row's even columns (len floats) followed by its odd ones (len floats). Rows outside
  ;; the plane are zeros; inside, the columns whose pairs lie wholly in the plane go four pairs at a time.
  (func $wino_split (param $plane i32) (param $inH i32) (param $inW i32) (param $pt i32) (param $pl i32) (param $rows i32) (param $len i32) (param $scratch i32)
    (local $q i32) (local $e i32) (local $yr i32) (local $row i32) (local $src i32) (local $lo i32) (local $hi i32) (local $a v128) (local $b v128)
    (local $odd i32)
    ;; Pairs e in [lo, hi) have both 2e − pl ≥ 0 and 2e + 1 − pl < inW.
    (local.set $lo (i32.shr_s (i32.add (local.get $pl) (i32.const 1)) (i32.const 1)))
    (local.set $hi (i32.shr_s (i32.add (local.get $inW) (local.get $pl)) (i32.const 1)))
    (if (i32.gt_s (local.get $hi) (local.get $len)) (then (local.set $hi (local.get $len))))
    (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
    (local.set $odd (i32.shl (local.get $len) (i32.const 2)))
    (local.set $row (local.get $scratch))
    (block $done (br_if $done (i32.le_s (local.get $rows) (i32.const 0)))
    (loop $ql
      (local.set $yr (i32.sub (local.get $q) (local.get $pt)))
      (if (i32.or (i32.lt_s (local.get $yr) (i32.const 0)) (i32.ge_s (local.get $yr) (local.get $inH)))
        (then (call $zero (local.get $row) (i32.shl (local.get $len) (i32.const 1))))
        (else
          ;; src: the byte address of column −pl of row yr, so that column 2e − pl is src + 8e.
          (local.set $src (i32.add (local.get $plane) (i32.shl (i32.sub (i32.mul (local.get $yr) (local.get $inW)) (local.get $pl)) (i32.const 2))))
          (local.set $e (i32.const 0))
          (block $sd (loop $sl
            (br_if $sd (i32.ge_s (local.get $e) (local.get $len)))
            (if (i32.and (i32.eq (local.get $e) (local.get $lo)) (i32.le_s (i32.add (local.get $e) (i32.const 4)) (local.get $hi)))
              (then
                (loop $vl
                  (local.set $a (v128.load (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 3)))))
                  (local.set $b (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 3)))))
                  (v128.store (i32.add (local.get $row) (i32.shl (local.get $e) (i32.const 2)))
                    (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $a) (local.get $b)))
                  (v128.store (i32.add (i32.add (local.get $row) (local.get $odd)) (i32.shl (local.get $e) (i32.const 2)))
                    (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $a) (local.get $b)))
                  (local.set $e (i32.add (local.get $e) (i32.const 4)))
                  (br_if $vl (i32.le_s (i32.add (local.get $e) (i32.const 4)) (local.get $hi))))
                (br $sl)))
            ;; One pair, each column checked.
            (f32.store (i32.add (i32.add (local.get $row) (i32.const 0)) (i32.shl (local.get $e) (i32.const 2)))
              (if (result f32) (i32.and (i32.ge_s (i32.sub (i32.add (i32.shl (local.get $e) (i32.const 1)) (i32.const 0)) (local.get $pl)) (i32.const 0))
                    (i32.lt_s (i32.sub (i32.add (i32.shl (local.get $e) (i32.const 1)) (i32.const 0)) (local.get $pl)) (local.get $inW)))
                (then (f32.load offset=0 (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 3)))))
                (else (f32.const 0))))
            (f32.store (i32.add (i32.add (local.get $row) (local.get $odd)) (i32.shl (local.get $e) (i32.const 2)))
              (if (result f32) (i32.and (i32.ge_s (i32.sub (i32.add (i32.shl (local.get $e) (i32.const 1)) (i32.const 1)) (local.get $pl)) (i32.const 0))
                    (i32.lt_s (i32.sub (i32.add (i32.shl (local.get $e) (i32.const 1)) (i32.const 1)) (local.get $pl)) (local.get $inW)))
                (then (f32.load offset=4 (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 3)))))
                (else (f32.const 0))))
            (local.set $e (i32.add (local.get $e) (i32.const 1)))
            (br $sl)))))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $len) (i32.const 3))))
      (br_if $ql (i32.lt_s (local.tee $q (i32.add (local.get $q) (i32.const 1))) (local.get $rows))))))

  ;; Winograd F(3×3, 2×2) for the weight gradient, dy side, for one sample: each channel's 2×2 tiles h of dy
  ;; (tile (i, j) at rows 2i, 2i + 1 and columns 2j, 2j + 1; zeros past outH, outW) become W = A h Aᵀ,
  ;; A = [1 0; 1 1; 1 −1; 0 −1], element (ξ, ν) of tile t of channel k stored at w + 4·((4ξ + ν)·ldm + k·ldv + t).
  ;; With wino_in's V of the input, dw = Gᵀ (Σ_t W ⊙ V) G. Four tiles at a time, as wino_in.
  (func (export "wino_dy") (param $dy i32) (param $channels i32) (param $outH i32) (param $outW i32) (param $tilesH i32) (param $tilesW i32)
    (param $w i32) (param $ldv i32) (param $ldm i32) (param $scratch i32)
    (local $c i32) (local $rows i32) (local $len i32) (local $plane i32) (local $i i32) (local $j i32) (local $p i32) (local $out i32)
    (local $mat i32) (local $rowBytes i32) (local $h0 v128) (local $h1 v128)
    (local $r0e v128) (local $r0o v128) (local $r1e v128) (local $r1o v128) (local $r2e v128) (local $r2o v128) (local $r3e v128) (local $r3o v128)
    (local.set $rows (i32.shl (local.get $tilesH) (i32.const 1)))
    (local.set $len (i32.add (local.get $tilesW) (i32.const 4)))
    (local.set $rowBytes (i32.shl (local.get $len) (i32.const 3)))
    (local.set $mat (i32.shl (local.get $ldm) (i32.const 2)))
    (local.set $plane (local.get $dy))
    (block $done (br_if $done (i32.le_s (local.get $channels) (i32.const 0)))
    (loop $cl
      (call $wino_split (local.get $plane) (local.get $outH) (local.get $outW) (i32.const 0) (i32.const 0) (local.get $rows) (local.get $len) (local.get $scratch))
      (local.set $i (i32.const 0))
      (loop $il
        (local.set $j (i32.const 0))
        (loop $jl
          (local.set $p (i32.add (i32.add (local.get $scratch) (i32.mul (i32.shl (local.get $i) (i32.const 1)) (local.get $rowBytes)))
            (i32.shl (local.get $j) (i32.const 2))))
          (local.set $h0 (v128.load (i32.add (local.get $p) (i32.const 0))))
          (local.set $h1 (v128.load (i32.add (local.get $p) (i32.add (local.get $rowBytes) (i32.const 0)))))
          (local.set $r0e (local.get $h0))
          (local.set $r1e (f32x4.add (local.get $h0) (local.get $h1)))
          (local.set $r2e (f32x4.sub (local.get $h0) (local.get $h1)))
          (local.set $r3e (f32x4.neg (local.get $h1)))
          (local.set $h0 (v128.load (i32.add (local.get $p) (i32.shl (local.get $len) (i32.const 2)))))
          (local.set $h1 (v128.load (i32.add (local.get $p) (i32.add (local.get $rowBytes) (i32.shl (local.get $len) (i32.const 2))))))
          (local.set $r0o (local.get $h0))
          (local.set $r1o (f32x4.add (local.get $h0) (local.get $h1)))
          (local.set $r2o (f32x4.sub (local.get $h0) (local.get $h1)))
          (local.set $r3o (f32x4.neg (local.get $h1)))
          (local.set $out (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ldv))
            (i32.add (i32.mul (local.get $i) (local.get $tilesW)) (local.get $j))) (i32.const 2))))
          (v128.store (local.get $out) (local.get $r0e))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r0e) (local.get $r0o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r0e) (local.get $r0o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.neg (local.get $r0o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (local.get $r1e))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r1e) (local.get $r1o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r1e) (local.get $r1o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.neg (local.get $r1o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (local.get $r2e))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r2e) (local.get $r2o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r2e) (local.get $r2o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.neg (local.get $r2o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (local.get $r3e))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.add (local.get $r3e) (local.get $r3o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.sub (local.get $r3e) (local.get $r3o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (v128.store (local.get $out) (f32x4.neg (local.get $r3o)))
          (local.set $out (i32.add (local.get $out) (local.get $mat)))
          (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 4))) (local.get $tilesW))))
        (br_if $il (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $tilesH))))
      (local.set $plane (i32.add (local.get $plane) (i32.shl (i32.mul (local.get $outH) (local.get $outW)) (i32.const 2))))
      (br_if $cl (i32.lt_s (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels))))))
)
