/* The report form as a phone experience: one page instead of two steps, places found for the
   typed address, the first photo's GPS suggested by the server before the stored copy loses it,
   and the category's questions and the open reports nearby loaded inline by htmx. The map that
   sets the pin (kept in sync with the latitude and longitude fields, with "use my location") is
   the platform's picker (core/map.js); this script sets its point too. Without this script the
   form still works, in two steps. */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form) return;
  document.documentElement.classList.add("js");

  var messages = JSON.parse(document.getElementById("report-form-messages").textContent);
  var latitude = form.querySelector("#id_latitude");
  var longitude = form.querySelector("#id_longitude");
  var category = form.querySelector("#id_category");
  var photoStatus = document.getElementById("photo-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var mapNode = document.getElementById("report-map");
  // The picker fills the fields, moves the pin, says so and tells htmx ("hamkke:place").
  var picker = window.HamkkeMap && mapNode ? window.HamkkeMap.of(mapNode) : null;

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function say(node, text) {
    node.textContent = text || "";
  }

  function setPlace(lat, lon, zoomIn) {
    if (picker) {
      picker.setPoint(lat, lon, zoomIn);
      return;
    }
    latitude.value = lat.toFixed(6);
    longitude.value = lon.toFixed(6);
    document.body.dispatchEvent(new CustomEvent("hamkke:place"));
  }

  function typedPlace() {
    var lat = parseFloat(latitude.value);
    var lon = parseFloat(longitude.value);
    return isFinite(lat) && isFinite(lon) ? [lat, lon] : null;
  }

  // --- one page instead of two steps -------------------------------------------------------
  var next = form.querySelector(".step-next");
  // Removed rather than hidden, so that Enter in a field sends the report.
  if (next) next.parentNode.removeChild(next);
  var defaultNext = form.querySelector(".default-submit");
  if (defaultNext) defaultNext.parentNode.removeChild(defaultNext);
  document.getElementById("report-details").hidden = false;

  // --- find a place by its address or name ------------------------------------------------
  var address = form.querySelector("#id_address");
  var find = document.getElementById("find-place");
  var placeResults = document.getElementById("place-results");
  var english = (document.documentElement.lang || "").indexOf("en") === 0;

  function placeChoice(place) {
    var name = (english && place.name_en) || place.name;
    var district = (english && place.district.name_en) || place.district.name;
    var choice = document.createElement("button");
    choice.type = "button";
    choice.className = "button secondary place-choice";
    choice.dataset.latitude = place.latitude;
    choice.dataset.longitude = place.longitude;
    choice.dataset.name = name;
    choice.dataset.district = district;
    choice.textContent = name + " · " + district;
    return choice;
  }

  function showPlaces(text, places) {
    placeResults.textContent = "";
    var line = document.createElement("p");
    line.textContent = text;
    placeResults.appendChild(line);
    if (!places || !places.length) return;
    var list = document.createElement("ul");
    list.className = "place-list";
    places.forEach(function (place) {
      var item = document.createElement("li");
      item.appendChild(placeChoice(place));
      list.appendChild(item);
    });
    placeResults.appendChild(list);
  }

  function findPlaces() {
    var query = address.value.trim();
    if (!query) {
      showPlaces(messages.typeAddress);
      address.focus();
      return;
    }
    showPlaces(messages.finding);
    var url = form.dataset.geocodeUrl + "?" + new URLSearchParams({ q: query, limit: "5" });
    fetch(url, {
      credentials: "same-origin",
      // The API speaks the language it is asked for: the page's.
      headers: { Accept: "application/json", "Accept-Language": document.documentElement.lang || "" }
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          showPlaces(answer.data.detail || messages.findFailed);
          return;
        }
        var text = answer.data.length ? messages.placesFound : messages.noPlaces;
        showPlaces(format(text, { address: query }), answer.data);
      })
      .catch(function () {
        showPlaces(messages.findFailed);
      });
  }

  if (address && find && placeResults) {
    // A plain button now, so that Enter elsewhere still sends the report.
    find.type = "button";
    find.parentNode.hidden = false;
    find.addEventListener("click", findPlaces);
    address.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      findPlaces();
    });
    // The places listed by the script, or by the server for a form sent without it.
    placeResults.addEventListener("click", function (event) {
      var choice = event.target.closest("button[data-latitude]");
      if (!choice) return;
      event.preventDefault();
      setPlace(Number(choice.dataset.latitude), Number(choice.dataset.longitude), true);
      showPlaces(format(messages.placePicked, { place: choice.dataset.name, district: choice.dataset.district }));
    });
  }

  // --- photos: at most five, and the first one's place --------------------------------------
  var photos = form.querySelector("#id_photos");
  function offerPhotoPlace(data) {
    say(photoStatus, format(messages.photoPlace, { district: data.district }));
    var use = document.createElement("button");
    use.type = "button";
    use.className = "button secondary";
    use.textContent = messages.usePhotoPlace;
    use.addEventListener("click", function () {
      setPlace(data.latitude, data.longitude, true);
      say(photoStatus, messages.photoPlaceUsed);
    });
    photoStatus.appendChild(document.createElement("br"));
    photoStatus.appendChild(use);
  }

  function suggestPlaceOf(file) {
    var body = new FormData();
    body.append("photo", file);
    fetch(form.dataset.photoLocationUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.latitude === undefined || data.latitude === null || !data.inside_city) {
          // Not a photo, no GPS, or taken elsewhere: say so; the pin stays as it is.
          say(photoStatus, data.detail || "");
          return;
        }
        if (!typedPlace()) {
          setPlace(data.latitude, data.longitude, true);
          say(photoStatus, format(messages.photoPlaceSet, { district: data.district }));
        } else {
          offerPhotoPlace(data);
        }
      })
      .catch(function () {
        say(photoStatus, "");
      });
  }

  if (photos) {
    photos.addEventListener("change", function () {
      var most = Number(photos.dataset.max || 5);
      if (photos.files.length > most) {
        photos.setCustomValidity(format(messages.tooManyPhotos, { max: most }));
        photos.reportValidity();
        return;
      }
      photos.setCustomValidity("");
      say(photoStatus, "");
      if (photos.files.length) suggestPlaceOf(photos.files[0]);
    });
  }

  // --- after a refusal: start where the first error is --------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    var questions = document.getElementById("report-questions");
    if (category.value && questions && !questions.querySelector("select, input, textarea")) {
      // A browser that restored the chosen category (going back) needs its questions too.
      category.dispatchEvent(new Event("change"));
    }
    var wrong = form.querySelector(".field-error input, .field-error select, .field-error textarea");
    if (wrong) wrong.focus();
  });
})();
