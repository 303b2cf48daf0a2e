;; The ranker's hot loops in WebAssembly SIMD (src/util/kernels.ts loads the built kernels.wasm;
;; `npm run build:wasm` makes it from this file).
;;
;; Each f64 lane is one running sum of the JavaScript loop it replaces, fed the same products in the same
;; order, and WebAssembly has no fused multiply-add: the sums are the same to the bit, so rankings are too.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; The four running sums of a row (f32, $width at $vp) against a query (f64 at $qp): dimension d into
  ;; s(d mod 4), a remainder into s0. Returns (s0, s1) and (s2, s3).
  (func $four_sums (param $vp i32) (param $qp i32) (param $width i32) (result v128 v128)
    (local $d i32) (local $width4 i32) (local $q i32) (local $v v128) (local $a01 v128) (local $a23 v128)
    (local.set $width4 (i32.and (local.get $width) (i32.const -4)))
    (block $dims_done
      (loop $dims
        (br_if $dims_done (i32.ge_u (local.get $d) (local.get $width4)))
        (local.set $v (v128.load (i32.add (local.get $vp) (i32.shl (local.get $d) (i32.const 2)))))
        (local.set $q (i32.add (local.get $qp) (i32.shl (local.get $d) (i32.const 3))))
        (local.set $a01 (f64x2.add (local.get $a01)
          (f64x2.mul (v128.load (local.get $q)) (f64x2.promote_low_f32x4 (local.get $v)))))
        (local.set $a23 (f64x2.add (local.get $a23)
          (f64x2.mul (v128.load offset=16 (local.get $q))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (br $dims)))
    (block $rest_done
      (loop $rest
        (br_if $rest_done (i32.ge_u (local.get $d) (local.get $width)))
        (local.set $a01 (f64x2.replace_lane 0 (local.get $a01)
          (f64.add (f64x2.extract_lane 0 (local.get $a01))
            (f64.mul (f64.load (i32.add (local.get $qp) (i32.shl (local.get $d) (i32.const 3))))
              (f64.promote_f32 (f32.load (i32.add (local.get $vp) (i32.shl (local.get $d) (i32.const 2)))))))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $rest)))
    (local.get $a01)
    (local.get $a23))

  ;; src/util/vec.ts dot() of each of `count` rows (at $base, $width f32 each) with each of $k queries
  ;; (f64, $width each, one after another at $queries): (s0 + s1) + (s2 + s3) of the four running sums.
  ;; Writes row i's dot with query j at $out + 8 (i $stride + j).
  (func (export "dots")
    (param $count i32) (param $rows i32) (param $out i32) (param $stride i32) (param $base i32) (param $width i32)
    (param $queries i32) (param $k i32)
    (local $i i32) (local $j i32) (local $vp i32) (local $a01 v128) (local $a23 v128) (local $t v128)
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $vp (i32.add (local.get $base)
          (i32.shl (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2))))
            (local.get $width)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $queries_done
          (loop $each_query
            (br_if $queries_done (i32.ge_u (local.get $j) (local.get $k)))
            (call $four_sums (local.get $vp)
              (i32.add (local.get $queries) (i32.shl (i32.mul (local.get $j) (local.get $width)) (i32.const 3)))
              (local.get $width))
            (local.set $a23)
            (local.set $a01)
            ;; (s0 + s1, s2 + s3), then their sum
            (local.set $t (f64x2.add
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a01) (local.get $a23))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a01) (local.get $a23))))
            (f64.store
              (i32.add (local.get $out)
                (i32.shl (i32.add (i32.mul (local.get $i) (local.get $stride)) (local.get $j)) (i32.const 3)))
              (f64.add (f64x2.extract_lane 0 (local.get $t)) (f64x2.extract_lane 1 (local.get $t))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $each_query)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row))))

  ;; The linear stage's dot products of `count` rows (i32 row numbers at $rows):
  ;;   s0..s3: the item vector (f32, $dim per row at $vec) against $qv (f64), four dimensions at a time,
  ;;           dimension d into s(d mod 4) and a remainder into s0;
  ;;   then s1 += qi[l] * interests[l] and s2 += qg[l] * genreHits[l] for each label l in turn
  ;;           ($qig holds qi[l], qg[l] interleaved as f64 pairs).
  ;; A row's genre hits are 1 at the labels its mask has (ceil(labels / 32) i32 words per row at $masks) and
  ;; 0 elsewhere, or its interests when its mask is empty. A masked row reads zeros (at $zeros) in the label
  ;; loop, then adds qg[l] for its labels in order: the same nonzero terms in the same order as reading
  ;; the hits, so the same sums to the bit.
  ;; Writes s0 + s1 and s2 + s3 of row i at $out + 16 i.
  (func (export "linear")
    (param $count i32) (param $rows i32) (param $out i32)
    (param $vec i32) (param $dim i32) (param $ints i32) (param $masks i32) (param $zeros i32)
    (param $labels i32) (param $qv i32) (param $qig i32)
    (local $i i32) (local $row i32) (local $vp i32) (local $ip i32) (local $gp i32)
    (local $l i32) (local $labels4 i32) (local $q i32)
    (local $words i32) (local $mp i32) (local $w i32) (local $any i32) (local $bits i32)
    (local $a01 v128) (local $a23 v128) (local $a12 v128) (local $v v128) (local $vi v128) (local $vg v128)
    (local.set $labels4 (i32.and (local.get $labels) (i32.const -4)))
    (local.set $words (i32.shr_u (i32.add (local.get $labels) (i32.const 31)) (i32.const 5)))
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
        (local.set $vp (i32.add (local.get $vec)
          (i32.shl (i32.mul (local.get $row) (local.get $dim)) (i32.const 2))))
        (call $four_sums (local.get $vp) (local.get $qv) (local.get $dim))
        (local.set $a23)
        (local.set $a01)
        ;; (s1, s2) take the labels' products.
        (local.set $a12 (i8x16.shuffle 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23
          (local.get $a01) (local.get $a23)))
        (local.set $ip (i32.add (local.get $ints)
          (i32.shl (i32.mul (local.get $row) (local.get $labels)) (i32.const 2))))
        (local.set $mp (i32.add (local.get $masks)
          (i32.shl (i32.mul (local.get $row) (local.get $words)) (i32.const 2))))
        (local.set $any (i32.const 0))
        (local.set $w (i32.const 0))
        (block $mask_read
          (loop $each_word
            (br_if $mask_read (i32.ge_u (local.get $w) (local.get $words)))
            (local.set $any (i32.or (local.get $any)
              (i32.load (i32.add (local.get $mp) (i32.shl (local.get $w) (i32.const 2))))))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $each_word)))
        (local.set $gp (select (local.get $zeros) (local.get $ip) (local.get $any)))
        (local.set $l (i32.const 0))
        (block $labels_done
          (loop $four_labels
            (br_if $labels_done (i32.ge_u (local.get $l) (local.get $labels4)))
            (local.set $vi (v128.load (i32.add (local.get $ip) (i32.shl (local.get $l) (i32.const 2)))))
            (local.set $vg (v128.load (i32.add (local.get $gp) (i32.shl (local.get $l) (i32.const 2)))))
            (local.set $q (i32.add (local.get $qig) (i32.shl (local.get $l) (i32.const 4))))
            (local.set $a12 (f64x2.add (local.get $a12)
              (f64x2.mul (v128.load (local.get $q))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 0 1 2 3 16 17 18 19 0 1 2 3 0 1 2 3 (local.get $vi) (local.get $vg))))))
            (local.set $a12 (f64x2.add (local.get $a12)
              (f64x2.mul (v128.load offset=16 (local.get $q))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 4 5 6 7 20 21 22 23 0 1 2 3 0 1 2 3 (local.get $vi) (local.get $vg))))))
            (local.set $a12 (f64x2.add (local.get $a12)
              (f64x2.mul (v128.load offset=32 (local.get $q))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 8 9 10 11 24 25 26 27 0 1 2 3 0 1 2 3 (local.get $vi) (local.get $vg))))))
            (local.set $a12 (f64x2.add (local.get $a12)
              (f64x2.mul (v128.load offset=48 (local.get $q))
                (f64x2.promote_low_f32x4
                  (i8x16.shuffle 12 13 14 15 28 29 30 31 0 1 2 3 0 1 2 3 (local.get $vi) (local.get $vg))))))
            (local.set $l (i32.add (local.get $l) (i32.const 4)))
            (br $four_labels)))
        (block $label_rest_done
          (loop $label_rest
            (br_if $label_rest_done (i32.ge_u (local.get $l) (local.get $labels)))
            (local.set $v (v128.load32_lane 1
              (i32.add (local.get $gp) (i32.shl (local.get $l) (i32.const 2)))
              (v128.load32_zero (i32.add (local.get $ip) (i32.shl (local.get $l) (i32.const 2))))))
            (local.set $a12 (f64x2.add (local.get $a12)
              (f64x2.mul (v128.load (i32.add (local.get $qig) (i32.shl (local.get $l) (i32.const 4))))
                (f64x2.promote_low_f32x4 (local.get $v)))))
            (local.set $l (i32.add (local.get $l) (i32.const 1)))
            (br $label_rest)))
        ;; A masked row's labels, lowest first: s2 += qg[l].
        (local.set $w (i32.const 0))
        (block $masked_done
          (loop $mask_word
            (br_if $masked_done (i32.ge_u (local.get $w) (local.get $words)))
            (local.set $bits (i32.load (i32.add (local.get $mp) (i32.shl (local.get $w) (i32.const 2)))))
            (block $bits_done
              (loop $each_bit
                (br_if $bits_done (i32.eqz (local.get $bits)))
                (local.set $l (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.ctz (local.get $bits))))
                (local.set $a12 (f64x2.replace_lane 1 (local.get $a12)
                  (f64.add (f64x2.extract_lane 1 (local.get $a12))
                    (f64.load offset=8 (i32.add (local.get $qig) (i32.shl (local.get $l) (i32.const 4)))))))
                (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
                (br $each_bit)))
            (local.set $w (i32.add (local.get $w) (i32.const 1)))
            (br $mask_word)))
        ;; (s0, s3) + (s1, s2)
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 4)))
          (f64x2.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 24 25 26 27 28 29 30 31 (local.get $a01) (local.get $a23))
            (local.get $a12)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row))))

  ;; The re-scorer (src/recommend/ranker-model.ts compileMlp) over `count` candidates' features (f32, $features
  ;; per candidate at $x): s = bias + Σ lin[f] x[f] over the features that are not 0, then a ReLU hidden layer
  ;; of $hidden units (a multiple of 16) from $w (f64, feature-major) and $b, each unit's sum taken feature by
  ;; feature, skipping zero features; then s += outw[h] pre[h] for each unit h > 0 in turn. Units go 16 at a
  ;; time, their sums in registers, over the candidate's nonzero features listed once at $nonzero (16 bytes
  ;; each: the value, then where the feature's weights start). Writes s of candidate c at $res + 8 c.
  (func (export "mlp")
    (param $count i32) (param $x i32) (param $features i32) (param $hidden i32)
    (param $w i32) (param $b i32) (param $lin i32) (param $bias f64) (param $outw i32) (param $res i32)
    (param $nonzero i32)
    (local $c i32) (local $f i32) (local $h i32) (local $xp i32) (local $wp i32) (local $op i32)
    (local $m i32) (local $j i32) (local $entry i32)
    (local $value f64) (local $s f64) (local $unit f64) (local $vs v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128) (local $p4 v128) (local $p5 v128) (local $p6 v128) (local $p7 v128)
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $c) (local.get $count)))
        (local.set $s (local.get $bias))
        (local.set $m (i32.const 0))
        (local.set $xp (i32.add (local.get $x)
          (i32.shl (i32.mul (local.get $c) (local.get $features)) (i32.const 2))))
        (local.set $f (i32.const 0))
        (block $linear_done
          (loop $linear
            (br_if $linear_done (i32.ge_u (local.get $f) (local.get $features)))
            (local.set $value (f64.promote_f32
              (f32.load (i32.add (local.get $xp) (i32.shl (local.get $f) (i32.const 2))))))
            (if (f64.ne (local.get $value) (f64.const 0))
              (then
                (local.set $s (f64.add (local.get $s)
                  (f64.mul (f64.load (i32.add (local.get $lin) (i32.shl (local.get $f) (i32.const 3))))
                    (local.get $value))))
                ;; the nonzero features, in order: value, and where the feature's weights start
                (local.set $entry (i32.add (local.get $nonzero) (i32.shl (local.get $m) (i32.const 4))))
                (f64.store (local.get $entry) (local.get $value))
                (i32.store offset=8 (local.get $entry)
                  (i32.add (local.get $w)
                    (i32.shl (i32.mul (local.get $f) (local.get $hidden)) (i32.const 3))))
                (local.set $m (i32.add (local.get $m) (i32.const 1)))))
            (local.set $f (i32.add (local.get $f) (i32.const 1)))
            (br $linear)))
        (local.set $h (i32.const 0))
        (block $blocks_done
          (loop $each_block
            (br_if $blocks_done (i32.ge_u (local.get $h) (local.get $hidden)))
            (local.set $p0 (v128.load offset=0 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p1 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p2 (v128.load offset=32 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p3 (v128.load offset=48 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p4 (v128.load offset=64 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p5 (v128.load offset=80 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p6 (v128.load offset=96 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $p7 (v128.load offset=112 (i32.add (local.get $b) (i32.shl (local.get $h) (i32.const 3)))))
            (local.set $j (i32.const 0))
            (block $features_done
              (loop $each_feature
                (br_if $features_done (i32.ge_u (local.get $j) (local.get $m)))
                (local.set $entry (i32.add (local.get $nonzero) (i32.shl (local.get $j) (i32.const 4))))
                (local.set $vs (v128.load64_splat (local.get $entry)))
                (local.set $wp (i32.add (i32.load offset=8 (local.get $entry))
                  (i32.shl (local.get $h) (i32.const 3))))
                (local.set $p0 (f64x2.add (local.get $p0)
                  (f64x2.mul (v128.load offset=0 (local.get $wp)) (local.get $vs))))
                (local.set $p1 (f64x2.add (local.get $p1)
                  (f64x2.mul (v128.load offset=16 (local.get $wp)) (local.get $vs))))
                (local.set $p2 (f64x2.add (local.get $p2)
                  (f64x2.mul (v128.load offset=32 (local.get $wp)) (local.get $vs))))
                (local.set $p3 (f64x2.add (local.get $p3)
                  (f64x2.mul (v128.load offset=48 (local.get $wp)) (local.get $vs))))
                (local.set $p4 (f64x2.add (local.get $p4)
                  (f64x2.mul (v128.load offset=64 (local.get $wp)) (local.get $vs))))
                (local.set $p5 (f64x2.add (local.get $p5)
                  (f64x2.mul (v128.load offset=80 (local.get $wp)) (local.get $vs))))
                (local.set $p6 (f64x2.add (local.get $p6)
                  (f64x2.mul (v128.load offset=96 (local.get $wp)) (local.get $vs))))
                (local.set $p7 (f64x2.add (local.get $p7)
                  (f64x2.mul (v128.load offset=112 (local.get $wp)) (local.get $vs))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $each_feature)))
            (local.set $op (i32.add (local.get $outw) (i32.shl (local.get $h) (i32.const 3))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p0)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=0 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p0)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=8 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p1)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=16 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p1)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=24 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p2)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=32 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p2)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=40 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p3)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=48 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p3)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=56 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p4)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=64 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p4)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=72 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p5)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=80 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p5)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=88 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p6)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=96 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p6)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=104 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 0 (local.get $p7)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=112 (local.get $op)) (local.get $unit))))))
            (local.set $unit (f64x2.extract_lane 1 (local.get $p7)))
            (if (f64.gt (local.get $unit) (f64.const 0))
              (then (local.set $s (f64.add (local.get $s)
                (f64.mul (f64.load offset=120 (local.get $op)) (local.get $unit))))))
            (local.set $h (i32.add (local.get $h) (i32.const 16)))
            (br $each_block)))
        (f64.store (i32.add (local.get $res) (i32.shl (local.get $c) (i32.const 3))) (local.get $s))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $each))))

  ;; Byte rows' dot products (src/recommend/feature-codes.ts): for each of `count` positions (i32 at
  ;; $positions), the row of $stride signed bytes (a multiple of 16) at $codes + position * $stride against
  ;; $query ($stride i16). Products are summed as i32, exactly; writes row i's sum at $out + 4 i.
  (func (export "bytedots")
    (param $count i32) (param $positions i32) (param $codes i32) (param $stride i32) (param $query i32)
    (param $out i32)
    (local $i i32) (local $d i32) (local $row i32) (local $q i32) (local $c v128) (local $acc v128)
    (block $done
      (loop $each_row
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $row (i32.add (local.get $codes)
          (i32.mul (i32.load (i32.add (local.get $positions) (i32.shl (local.get $i) (i32.const 2))))
            (local.get $stride))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $dims_done
          (loop $dims
            (br_if $dims_done (i32.ge_u (local.get $d) (local.get $stride)))
            (local.set $c (v128.load (i32.add (local.get $row) (local.get $d))))
            (local.set $q (i32.add (local.get $query) (i32.shl (local.get $d) (i32.const 1))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $c)) (v128.load (local.get $q)))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $c)) (v128.load offset=16 (local.get $q)))))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $dims)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each_row))))
)
