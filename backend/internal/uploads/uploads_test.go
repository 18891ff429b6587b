package uploads_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"minside/backend/internal/apperr"
	"minside/backend/internal/uploads"
)

// photo encodes a w×h JPEG whose left half is red, right half blue.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF inserts an APP1 Exif segment after the JPEG's SOI marker: IFD0 with the camera make,
// the orientation and a pointer to a GPS IFD holding latitude 59°54'N and longitude 10°45'E (Oslo).
func withEXIF(jpg []byte, orientation uint16) []byte {
	le := binary.LittleEndian
	var tiff bytes.Buffer
	tiff.WriteString("II*\x00")
	_ = binary.Write(&tiff, le, uint32(8))
	entry := func(b *bytes.Buffer, tag, typ uint16, count, value uint32) {
		_ = binary.Write(b, le, tag)
		_ = binary.Write(b, le, typ)
		_ = binary.Write(b, le, count)
		_ = binary.Write(b, le, value)
	}
	const ifd0 = 8
	const ifd0Size = 2 + 3*12 + 4
	const makeAt = ifd0 + ifd0Size // "GPSCAM-OSLO\0", 12 bytes
	const gpsAt = makeAt + 12
	const gpsSize = 2 + 4*12 + 4
	const ratAt = gpsAt + gpsSize // 6 rationals: latitude then longitude
	_ = binary.Write(&tiff, le, uint16(3))
	entry(&tiff, 0x010F, 2, 12, makeAt)             // Make
	entry(&tiff, 0x0112, 3, 1, uint32(orientation)) // Orientation (SHORT, left-justified: LE low bytes)
	entry(&tiff, 0x8825, 4, 1, gpsAt)               // GPS IFD pointer
	_ = binary.Write(&tiff, le, uint32(0))          // no next IFD
	tiff.WriteString("GPSCAM-OSLO\x00")             // make
	_ = binary.Write(&tiff, le, uint16(4))          // GPS IFD
	entry(&tiff, 0x0001, 2, 2, uint32('N'))         // GPSLatitudeRef
	entry(&tiff, 0x0002, 5, 3, ratAt)               // GPSLatitude
	entry(&tiff, 0x0003, 2, 2, uint32('E'))         // GPSLongitudeRef
	entry(&tiff, 0x0004, 5, 3, ratAt+24)            // GPSLongitude
	_ = binary.Write(&tiff, le, uint32(0))
	for _, v := range []uint32{59, 1, 54, 1, 0, 1, 10, 1, 45, 1, 0, 1} {
		_ = binary.Write(&tiff, le, v)
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(jpg[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1})
	_ = binary.Write(&out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
	out.Write(jpg[2:])
	return out.Bytes()
}

func TestPhotoLosesItsLocationAndKeepsItsOrientation(t *testing.T) {
	in := withEXIF(photo(t, 64, 32), 6) // orientation 6: the camera was turned; show rotated 90° clockwise
	if !bytes.Contains(in, []byte("GPSCAM-OSLO")) || !bytes.Contains(in, []byte("Exif\x00\x00")) {
		t.Fatal("the test photo carries no EXIF block")
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(in)); err != nil || cfg.Width != 64 {
		t.Fatalf("the test photo does not decode: %v", err)
	}
	files, err := uploads.Check("/attachments", []uploads.Input{{Name: "IMG_0042.JPG", Data: in}}, uploads.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got := files[0]
	if got.Type != uploads.TypeJPEG || got.Name != "IMG_0042.jpg" {
		t.Fatalf("type %q name %q", got.Type, got.Name)
	}
	for _, marker := range []string{"Exif\x00\x00", "GPSCAM-OSLO", "II*\x00"} {
		if bytes.Contains(got.Data, []byte(marker)) {
			t.Errorf("the kept photo still holds %q", marker)
		}
	}
	if hasAPP1(got.Data) {
		t.Error("the kept photo still has an APP1 (EXIF/XMP) segment")
	}
	// Turned as the EXIF said: 32 wide, 64 high, red on top (the left half went up).
	img, err := jpeg.Decode(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 64 || got.Width != 32 || got.Height != 64 {
		t.Fatalf("bounds %v (recorded %d×%d), want 32×64", b, got.Width, got.Height)
	}
	if r, _, bl, _ := img.At(16, 8).RGBA(); r < bl {
		t.Errorf("top of the turned photo is not red: r=%d b=%d", r, bl)
	}
}

// hasAPP1 walks the JPEG's segments up to the image data.
func hasAPP1(b []byte) bool {
	for i := 2; i+4 <= len(b) && b[i] == 0xFF; {
		marker := b[i+1]
		if marker == 0xDA { // start of scan
			return false
		}
		if marker == 0xE1 {
			return true
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return false
}

func TestTypesAreReadFromTheBytes(t *testing.T) {
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 10, 10)))
	pdf := []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
	lim := uploads.DefaultLimits()
	files, err := uploads.Check("/attachments", []uploads.Input{
		{Name: "../../etc/søknad.exe", Data: pdf},
		{Name: "kart.pdf", Data: pngBuf.Bytes()},
	}, lim)
	if err != nil {
		t.Fatal(err)
	}
	if files[0].Type != uploads.TypePDF || files[0].Name != "søknad.pdf" || !bytes.Equal(files[0].Data, pdf) {
		t.Errorf("pdf: %+v", files[0].Name)
	}
	if files[1].Type != uploads.TypePNG || files[1].Name != "kart.png" || files[1].Width != 10 {
		t.Errorf("png named .pdf: %q %q %d", files[1].Type, files[1].Name, files[1].Width)
	}
}

func TestRefusals(t *testing.T) {
	lim := uploads.Limits{MaxFileBytes: 1 << 20, MaxFiles: 2, MaxPixels: 1_000_000, MaxSide: 3000}
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	// A PNG header claiming 20000×20000 pixels in a few dozen bytes: must be refused from the
	// header alone.
	var bomb bytes.Buffer
	_ = png.Encode(&bomb, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := bomb.Bytes()
	binary.BigEndian.PutUint32(b[16:], 20000)
	binary.BigEndian.PutUint32(b[20:], 20000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29])) // IHDR's checksum
	brokenJPEG := photo(t, 8, 8)[:40]
	tests := map[string]struct {
		in      []uploads.Input
		pointer string
		key     string
	}{
		"word document":   {[]uploads.Input{{Name: "a.pdf", Data: []byte("PK\x03\x04word/document.xml")}}, "/attachments/0", uploads.KeyUnsupportedType},
		"heic":            {[]uploads.Input{{Name: "IMG.HEIC", Data: heic}}, "/attachments/0", uploads.KeyHEIC},
		"too big":         {[]uploads.Input{{Name: "a.pdf", Data: append([]byte("%PDF-"), make([]byte, 1<<20)...)}}, "/attachments/0", uploads.KeyFileTooLarge},
		"too many":        {[]uploads.Input{{Data: []byte("%PDF-")}, {Data: []byte("%PDF-")}, {Data: []byte("%PDF-")}}, "/attachments", uploads.KeyTooManyFiles},
		"pixel bomb":      {[]uploads.Input{{Name: "x.png", Data: b}}, "/attachments/0", uploads.KeyImageTooLarge},
		"empty":           {[]uploads.Input{{Name: "x.pdf"}}, "/attachments/0", uploads.KeyEmptyFile},
		"broken jpeg":     {[]uploads.Input{{Name: "x.jpg", Data: brokenJPEG}}, "/attachments/0", uploads.KeyBrokenImage},
		"second at fault": {[]uploads.Input{{Data: []byte("%PDF-")}, {Data: heic}}, "/attachments/1", uploads.KeyHEIC},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			files, err := uploads.Check("/attachments", tc.in, lim)
			if files != nil {
				t.Errorf("files kept: %d", len(files))
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.CodeInvalid || len(e.Fields) != 1 {
				t.Fatalf("err = %v, want one field error", err)
			}
			if f := e.Fields[0]; f.Pointer != tc.pointer || f.Key != tc.key {
				t.Fatalf("field error %s %s, want %s %s", f.Pointer, f.Key, tc.pointer, tc.key)
			}
		})
	}
	if !strings.HasPrefix(uploads.Sniff(heic), "image/hei") {
		t.Error("HEIC not recognised")
	}
}
