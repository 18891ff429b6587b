// Package uploads decides whether a file a person sends may be kept, and makes it safe to keep:
// the type is read from its bytes (never from the name or the declared type), sizes and counts
// are bounded, an image's pixel dimensions are read before it is decoded (a small file can claim
// a huge picture), and images are decoded and encoded again, which drops their metadata (EXIF
// location, camera serials) while the picture keeps the orientation it was taken in. Message
// attachments use it, and so will the reporting service's photos.
package uploads

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"path"
	"strings"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // registers WebP with image.DecodeConfig and imaging.Decode

	"minside/backend/internal/apperr"
	"minside/backend/internal/textcheck"
)

// The types kept, by their MIME names.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	// TypeWebP is accepted as sent and kept as JPEG: the re-encoding drops its metadata and
	// every reader of the stored file can show a JPEG.
	TypeWebP = "image/webp"
)

// Field message keys of the refusals (localized in locales/).
const (
	KeyUnsupportedType = "field.file_type"       // not PDF, JPEG or PNG
	KeyHEIC            = "field.file_heic"       // an iPhone photo: convert to JPEG
	KeyFileTooLarge    = "field.file_too_large"  // {{.Max}} megabytes
	KeyTooManyFiles    = "field.too_many_files"  // {{.Max}} files
	KeyImageTooLarge   = "field.image_too_large" // {{.Max}} megapixels
	KeyEmptyFile       = "field.file_empty"
	KeyBrokenImage     = "field.file_broken"
)

// Limits bounds what one request may carry.
type Limits struct {
	MaxFileBytes int64 // one file, as sent
	MaxFiles     int   // files in one request
	MaxPixels    int   // width × height of an image, read before decoding
	MaxSide      int   // a kept image is scaled down to fit this many pixels on its longer side
	ImagesOnly   bool  // refuse PDFs (a report's photos)
}

// DefaultLimits fit phone photos and scanned letters: 5 MB a file, 5 files, 50 megapixels,
// kept at most 3000 pixels on the long side (still sharp on a screen, a fraction of the bytes).
func DefaultLimits() Limits {
	return Limits{MaxFileBytes: 5 << 20, MaxFiles: 5, MaxPixels: 50_000_000, MaxSide: 3000}
}

// UploadBytes is the largest request body these limits can need: every file at its largest,
// plus room for the form's text fields and multipart framing.
func (l Limits) UploadBytes() int64 { return int64(l.MaxFiles)*l.MaxFileBytes + 1<<20 }

// Input is one file as received.
type Input struct {
	Name string // the name the sender gave it; only shown, never used as a path
	Data []byte
}

// File is a checked file, ready to store.
type File struct {
	Name   string // cleaned display name, with the extension of its real type
	Type   string // TypePDF, TypeJPEG or TypePNG
	Data   []byte // for images: re-encoded without metadata
	Width  int    // images only
	Height int
}

// Check checks every input; the pointers of refusals are base/<index>. A refused request gives
// an apperr.Invalid listing every file at fault, and no File.
func Check(base string, in []Input, lim Limits) ([]File, error) {
	var errs apperr.Fields
	if len(in) > lim.MaxFiles {
		errs.Add(base, KeyTooManyFiles, map[string]any{"Max": lim.MaxFiles})
		return nil, errs.Err()
	}
	out := make([]File, 0, len(in))
	for i, f := range in {
		pointer := fmt.Sprintf("%s/%d", base, i)
		file, key, data := checkOne(f, lim)
		if key != "" {
			errs.Add(pointer, key, data)
			continue
		}
		out = append(out, file)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func checkOne(in Input, lim Limits) (File, string, map[string]any) {
	switch {
	case len(in.Data) == 0:
		return File{}, KeyEmptyFile, nil
	case int64(len(in.Data)) > lim.MaxFileBytes:
		return File{}, KeyFileTooLarge, map[string]any{"Max": lim.MaxFileBytes >> 20}
	}
	typ := Sniff(in.Data)
	switch typ {
	case TypePDF:
		if lim.ImagesOnly {
			return File{}, KeyUnsupportedType, nil
		}
		return File{Name: displayName(in.Name, ".pdf"), Type: TypePDF, Data: in.Data}, "", nil
	case TypeJPEG, TypePNG, TypeWebP:
		return checkImage(in, typ, lim)
	case typeHEIF:
		return File{}, KeyHEIC, nil
	}
	return File{}, KeyUnsupportedType, nil
}

// checkImage reads the dimensions from the header first: a decompression bomb is refused before
// a single pixel is allocated.
func checkImage(in Input, typ string, lim Limits) (File, string, map[string]any) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(in.Data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return File{}, KeyBrokenImage, nil
	}
	if cfg.Width*cfg.Height > lim.MaxPixels {
		return File{}, KeyImageTooLarge, map[string]any{"Max": lim.MaxPixels / 1_000_000}
	}
	// AutoOrientation turns the picture as its EXIF orientation says, since the EXIF block (which
	// says it) does not survive the re-encoding.
	img, err := imaging.Decode(bytes.NewReader(in.Data), imaging.AutoOrientation(true))
	if err != nil {
		return File{}, KeyBrokenImage, nil
	}
	if b := img.Bounds(); b.Dx() > lim.MaxSide || b.Dy() > lim.MaxSide {
		img = imaging.Fit(img, lim.MaxSide, lim.MaxSide, imaging.Lanczos)
	}
	var buf bytes.Buffer
	ext := ".jpg"
	if typ == TypePNG {
		ext = ".png"
		err = png.Encode(&buf, img)
	} else {
		typ = TypeJPEG
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88})
	}
	if err != nil {
		return File{}, KeyBrokenImage, nil
	}
	b := img.Bounds()
	return File{Name: displayName(in.Name, ext), Type: typ, Data: buf.Bytes(), Width: b.Dx(), Height: b.Dy()}, "", nil
}

// typeHEIF is recognised only to be refused with a message of its own.
const typeHEIF = "image/heif"

// Sniff names the type by the file's first bytes: TypePDF, TypeJPEG, TypePNG, TypeWebP, "image/heif"
// (HEIC/HEIF, including iPhone photos), or "" for anything else.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return TypeWebP
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1":
			return typeHEIF
		}
	}
	return ""
}

// displayName keeps the sender's name for display (without folders, control or bidi characters,
// at most 100 characters) and gives it the extension of what the file really is.
func displayName(name, ext string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.TrimSuffix(name, path.Ext(name))
	if clean, problem := textcheck.Check(name, textcheck.Line.Limit(100)); problem == nil && name != "." && name != "/" {
		name = clean
	} else {
		name = "vedlegg"
	}
	return name + ext
}
