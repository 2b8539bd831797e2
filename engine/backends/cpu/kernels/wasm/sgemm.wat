;; SGEMM building blocks in WebAssembly SIMD (128-bit, f32x4), for engine/backends/cpu/kernels/gemm-wasm.ts.
;;
;; Assembled by `npm run wasm` (scripts/build-wasm.mjs, with the npm package wabt) into the base64
;; string of gemm-wasm.generated.ts. Edit this file, never the generated one.
;;
;; The JS driver copies the operands into this module's memory and runs GotoBLAS's loops: for
;; each KC×NC block of op(B) it calls $pack_b, for each MC×KC block of op(A) $pack_a, then
;; $block, which sweeps the packed panels with the 4×8 micro-kernel $kernel. Every address is a
;; byte address into this memory; every leading dimension is in elements.
;;
;; Packed layouts (what the micro-kernel reads sequentially):
;;   A: MR = 4-row panels; panel p holds, for k = 0 … kc-1, the 4 values op(A)[4p + r, k] (zeros past mc).
;;   B: NR = 8-column panels; panel q holds, for k = 0 … kc-1, the 8 values op(B)[k, 8q + c] (zeros past nc).
;;
;; The micro-kernel keeps a 4×8 tile of C in eight f32x4 accumulators and adds one product per k
;; in order, in runs of 64 steps, each run's sums then added into C (times alpha); edge tiles go
;; through a scratch tile with the same arithmetic. So every entry of C is summed in one fixed
;; order that depends only on K (runs restart at each KC block), not on the data, the entry's
;; place in a tile, or the machine: results are identical from run to run. Without FMA in
;; 128-bit SIMD each step is a mul then an add (relaxed SIMD's madd would be faster but may or
;; may not fuse, machine by machine).
(module
  (memory (export "memory") 1)

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

  ;; Copies the mr×nr corner of C (stride ldc elements) into the 4×8 tile (back = 0) or back (back = 1).
  (func $corner (param $c i32) (param $ldc i32) (param $mr i32) (param $nr i32) (param $tile i32) (param $back i32)
    (local $r i32) (local $j i32) (local $p i32) (local $t i32)
    (loop $rl
      (local.set $p (i32.add (local.get $c) (i32.shl (i32.mul (local.get $r) (local.get $ldc)) (i32.const 2))))
      (local.set $t (i32.add (local.get $tile) (i32.shl (local.get $r) (i32.const 5))))
      (local.set $j (i32.const 0))
      (loop $jl
        (if (local.get $back)
          (then (f32.store (local.get $p) (f32.load (local.get $t))))
          (else (f32.store (local.get $t) (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $t (i32.add (local.get $t) (i32.const 4)))
        (br_if $jl (i32.lt_s (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $nr))))
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
)
