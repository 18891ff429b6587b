package reports_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"runtime"
	"testing"

	"minside/backend/internal/apperr"
	"minside/backend/internal/reports"
	"minside/backend/internal/uploads"
)

// pngClaiming is a PNG whose header claims w × h pixels, followed by no image data: a
// decompression bomb's header, a few dozen bytes.
func pngClaiming(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// A PNG header claiming 100000 × 100000 pixels is refused by its dimensions, before any pixel
// is allocated: the check costs almost no memory.
func TestHugeDimensionsRefusedWithoutDecoding(t *testing.T) {
	bomb := pngClaiming(100000, 100000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := uploads.Check("/photos", []uploads.Input{{Name: "bomb.png", Data: bomb}}, reports.PhotoLimits())
	runtime.ReadMemStats(&after)
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) != 1 || e.Fields[0].Pointer != "/photos/0" || e.Fields[0].Key != uploads.KeyImageTooLarge {
		t.Fatalf("refusal: %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("the refusal allocated %d bytes: the image was decoded", grew)
	}
}

// A WebP photo is accepted by its bytes and kept as a JPEG (re-encoded: no metadata).
func TestWebPKeptAsJPEG(t *testing.T) {
	// The smallest lossless WebP: 1 × 1 pixel.
	webp := []byte{0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
		0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00}
	out, err := uploads.Check("/photos", []uploads.Input{{Name: "bilde.webp", Data: webp}}, reports.PhotoLimits())
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Type != uploads.TypeJPEG || !bytes.HasPrefix(out[0].Data, []byte{0xFF, 0xD8, 0xFF}) || out[0].Name != "bilde.jpg" {
		t.Fatalf("kept as %s %q", out[0].Type, out[0].Name)
	}
}

// photo12MP is a 4000 × 3000 JPEG with some detail, like a phone's.
func photo12MP(tb testing.TB) []byte {
	img := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			img.Y[y*img.YStride+x] = uint8(x/16 + y/12 + (x*y>>7)&31) // gradients with texture: a few MB, like a phone's photo
		}
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = uint8(96+i%64), uint8(160-i%48)
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// A 12-megapixel photo is scaled to 1600 pixels on its long side.
func TestTwelveMegapixelPhotoScaled(t *testing.T) {
	out, err := uploads.Check("/photos", []uploads.Input{{Name: "IMG.jpg", Data: photo12MP(t)}}, reports.PhotoLimits())
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Width != 1600 || out[0].Height != 1200 {
		t.Fatalf("kept at %d × %d", out[0].Width, out[0].Height)
	}
	t.Logf("a 12-megapixel JPEG of %d KB kept as %d KB", len(photo12MP(t))>>10, len(out[0].Data)>>10)
	if _, err := jpeg.Decode(bytes.NewReader(out[0].Data)); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPhotoPipeline12MP prints the time per 12-megapixel photo (check, decode, orient,
// scale to 1600 px, re-encode) and the peak heap one photo needs above the idle heap.
func BenchmarkPhotoPipeline12MP(b *testing.B) {
	data := photo12MP(b)
	lim := reports.PhotoLimits()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() { // samples the heap while the photo is processed
			var m runtime.MemStats
			var top uint64
			for {
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapAlloc)
				select {
				case <-stop:
					done <- top
					return
				default:
				}
			}
		}()
		if _, err := uploads.Check("/photos", []uploads.Input{{Name: "IMG.jpg", Data: data}}, lim); err != nil {
			b.Fatal(err)
		}
		close(stop)
		if top := <-done; top > base.HeapAlloc {
			peak = max(peak, top-base.HeapAlloc)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/photo")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
