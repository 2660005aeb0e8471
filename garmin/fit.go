package garmin

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/muktihari/fit/encoder"
	"github.com/muktihari/fit/kit/datetime"
	"github.com/muktihari/fit/profile/filedef"
	"github.com/muktihari/fit/profile/mesgdef"
	"github.com/muktihari/fit/profile/typedef"
)

// ErrDuplicateUpload means Garmin already holds the uploaded file (it
// answered 409). For a body composition built by UploadBodyComposition the
// measurement is already there: treat it as done.
var ErrDuplicateUpload = errors.New("garmin: file already uploaded (duplicate)")

// Upload endpoint (garmin-api.md, "Upload"); kept next to its only caller
// for the same reason as the weight paths.
const (
	pathUpload      = "/upload-service/upload"
	uploadField     = "file"
	uploadFileName  = "body_composition.fit"
	fitSoftwareVers = 100 // file_creator software_version (1.00)
)

// fitTimes returns the span of times a FIT date_time holds as real time:
// smaller values are a device's seconds since power-on, and 0xFFFFFFFF
// means none.
func fitTimes() (first, end time.Time) {
	return datetime.Epoch().Add(0x10000000 * time.Second), datetime.Epoch().Add(0xFFFFFFFF * time.Second)
}

// BodyComposition is one weigh-in with body fat, sent as a FIT file.
type BodyComposition struct {
	// Local is the local wall-clock time (see WeighInEntry.Local). A FIT
	// weight_scale message carries only the instant; Local is checked
	// against GMT, and Garmin files the weigh-in under the day of the
	// account's own time zone.
	Local time.Time
	// GMT is the instant of the measurement.
	GMT time.Time
	// Kg is the weight in kilograms, in (0, MaxWeightKg].
	Kg float64
	// FatPercent is the body fat in percent, in (0, 100); nil for none.
	FatPercent *float64
	// BMI is the body mass index, when the export has it; nil for none.
	BMI *float64
}

// UploadBodyComposition calls POST /upload-service/upload with a FIT file
// (multipart field "file") holding one weight_scale message: weight,
// percent_fat and timestamp.
//
// Garmin answers 202 and processes the file later (matin/garth's recorded
// upload): the weigh-in shows in the day view only some time after the
// answer. Nothing public shows Garmin refusing a repeated weight file (409
// is recorded for activities only) and withings-sync users report
// duplicate weigh-ins, so an upload whose outcome is unknown
// (ErrOutcomeUnknown) must be settled by reading the day, never resent
// while it may still appear. A 409, should Garmin give one, matches
// ErrDuplicateUpload; it too is settled by reading the day.
//
// A failure inside the answer, whatever its HTTP status, is an
// *UploadRejectedError: code 415 for a file Garmin cannot read
// (withings-sync issue #152, which uploads weight files on this path). A
// 412 matches ErrUploadConsent.
func (c *Client) UploadBodyComposition(ctx context.Context, bc BodyComposition) error {
	file, err := encodeBodyComposition(bc, c.now())
	if err != nil {
		return fmt.Errorf("garmin: upload body composition: %w", err)
	}
	body, contentType, err := multipartFile(file)
	if err != nil {
		return fmt.Errorf("garmin: upload body composition: %w", err)
	}
	var ex exchange
	err = c.do(ctx, call{method: http.MethodPost, path: pathUpload, write: true, raw: body, contentType: contentType, got: &ex}, nil)
	var apiErr *APIError
	switch {
	case err == nil:
		return refusalIn(ex.status, ex.body)
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusConflict:
		return fmt.Errorf("%w: %w", ErrDuplicateUpload, err)
	}
	return uploadError(err, ex)
}

// The FIT identity of a body-composition file, as python-garminconnect's
// encoder (garminconnect/fit.py, 2026) writes it, whose uploads users see
// in Garmin Connect: file_id manufacturer Garmin (1), product 0, and a
// device_info of an ANT+ weight scale (device type 119), Garmin, product
// 0, software 1.00. file_id.time_created is the upload time there too.
const (
	fitScaleManufacturer = typedef.ManufacturerGarmin
	fitScaleProduct      = 0
	fitScaleDeviceType   = uint8(typedef.AntplusDeviceTypeWeightScale) // 119
)

// encodeBodyComposition builds the FIT file of bc with muktihari/fit, made
// at created: file_id (type weight, Garmin, time_created = created, a
// serial derived from the measurement), device_info (a weight scale),
// file_creator, then weight_scale (timestamp, weight, percent_fat, bmi).
func encodeBodyComposition(bc BodyComposition, created time.Time) ([]byte, error) {
	if err := checkWeighInTimes(bc.Local, bc.GMT); err != nil {
		return nil, err
	}
	if err := checkKg(bc.Kg); err != nil {
		return nil, err
	}
	at := bc.GMT.UTC().Truncate(time.Second)
	fitTimeMin, fitTimeEnd := fitTimes()
	if at.Before(fitTimeMin) || !at.Before(fitTimeEnd) {
		return nil, fmt.Errorf("time %s: a FIT file holds times from %s to %s",
			at.Format(time.RFC3339), fitTimeMin.Format(dateLayout), fitTimeEnd.Format(dateLayout))
	}
	// Weight and body fat are stored in hundredths: a value that rounds to
	// zero would read as "none".
	centiKg := math.Round(bc.Kg * 100)
	if centiKg < 1 {
		return nil, fmt.Errorf("weight %v kg: below the FIT resolution of 0.01 kg", bc.Kg)
	}
	ws := mesgdef.NewWeightScale(nil).
		SetTimestamp(at).
		SetWeight(typedef.Weight(centiKg))
	if bc.FatPercent != nil {
		f := *bc.FatPercent
		if math.IsNaN(f) || math.Round(f*100) < 1 || math.Round(f*100) >= 100*100 {
			return nil, fmt.Errorf("body fat %v%%: want at least 0.01 and less than 100", f)
		}
		ws.SetPercentFat(uint16(math.Round(f * 100)))
	}
	if bc.BMI != nil {
		b := *bc.BMI
		if math.IsNaN(b) || math.Round(b*10) < 1 || math.Round(b*10) >= math.MaxUint16 {
			return nil, fmt.Errorf("bmi %v: want at least 0.1", b)
		}
		ws.SetBmi(uint16(math.Round(b * 10)))
	}
	creator := mesgdef.NewFileCreator(nil).SetSoftwareVersion(fitSoftwareVers)
	made := created.UTC().Truncate(time.Second)
	if made.Before(fitTimeMin) || !made.Before(fitTimeEnd) {
		made = at
	}
	// A stable serial per measurement: the same weigh-in gives the same
	// file_id whenever it is sent (only time_created differs).
	sum := sha256.Sum256([]byte(at.Format(time.RFC3339) + fmt.Sprintf("|%.2f", bc.Kg)))
	serial := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3]) | 1

	f := filedef.NewWeight()
	f.FileId.Manufacturer = fitScaleManufacturer
	f.FileId.Product = fitScaleProduct
	f.FileId.SerialNumber = serial
	f.FileId.TimeCreated = made
	f.DeviceInfos = append(f.DeviceInfos, mesgdef.NewDeviceInfo(nil).
		SetTimestamp(at).
		SetDeviceIndex(typedef.DeviceIndexCreator).
		SetDeviceType(fitScaleDeviceType).
		SetManufacturer(fitScaleManufacturer).
		SetProduct(fitScaleProduct).
		SetSerialNumber(serial).
		SetSoftwareVersion(fitSoftwareVers))
	f.WeightScales = append(f.WeightScales, ws)
	f.UnrelatedMessages = append(f.UnrelatedMessages, creator.ToMesg(nil))
	fit := f.ToFIT(nil)

	var buf bytes.Buffer
	if err := encoder.New(&buf).Encode(&fit); err != nil {
		return nil, fmt.Errorf("encode fit: %w", err)
	}
	return buf.Bytes(), nil
}

// multipartFile wraps a body-composition FIT file as the multipart form of
// an upload (multipartNamed, under uploadFileName).
func multipartFile(file []byte) (body []byte, contentType string, err error) {
	return multipartNamed(uploadFileName, file)
}
