package files

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options says where the bucket is. Endpoint is a URL (https://s3.example.no); its scheme
// decides TLS.
type S3Options struct {
	Endpoint  string
	Region    string
	Bucket    string
	AccessKey string
	SecretKey string
	// Transport replaces the HTTP transport (tests); nil takes minio's default.
	Transport http.RoundTripper
}

// S3 keeps files in an S3-compatible bucket (MinIO, Ceph, AWS, …): shared by every replica.
type S3 struct {
	client *minio.Client
	bucket string
}

// NewS3 connects to the bucket; it does not create it (an operator's decision, with its policies).
func NewS3(opts S3Options) (*S3, error) {
	u, err := url.Parse(opts.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("files: s3 endpoint %q must be an http(s) URL such as https://s3.example.no", opts.Endpoint)
	}
	if opts.Bucket == "" {
		return nil, fmt.Errorf("files: s3 bucket is required")
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:    u.Scheme == "https",
		Region:    opts.Region,
		Transport: opts.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("files: s3: %w", err)
	}
	return &S3{client: client, bucket: opts.Bucket}, nil
}

// Put uploads the object (one PUT, or a multipart upload for large files).
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if _, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType}); err != nil {
		return fmt.Errorf("files: s3 put: %w", err)
	}
	return nil
}

// Open reads the object. minio's GetObject is lazy, so the object is asked for its size first:
// that is where a missing key shows.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("files: s3 open: %w", err)
	}
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("files: s3 open: %w", err)
	}
	return obj, nil
}

// Delete removes the object (S3 answers success for a missing key too).
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("files: s3 delete: %w", err)
	}
	return nil
}

// List pages through the bucket's objects under prefix. Leaving early cancels the listing, which
// ends minio's goroutine that feeds it.
func (s *S3) List(ctx context.Context, prefix string, fn func(key string, modified time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("files: s3 list: %w", obj.Err)
		}
		if err := fn(obj.Key, obj.LastModified); err != nil {
			return err
		}
	}
	return nil
}
