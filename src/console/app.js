// The users console: AngularJS 1.8 and angular-resource talking JSON:API to
// this service. Every URL is relative, so the page works under any host or
// path prefix.
(function (angular) {
  'use strict';

  var API = 'api/v1/';
  var JSON_API = 'application/vnd.api+json';
  var PAGE_SIZE = 10;
  var OPTIONAL = ['dob', 'address', 'profession', 'website'];
  var EDITABLE = ['name', 'email', 'role'].concat(OPTIONAL);

  angular.module('console', ['ngResource'])

    // The bearer token, for this tab only: it ends with the tab.
    .factory('session', ['$window', function ($window) {
      var KEY = 'users-console.token';
      var token = $window.sessionStorage.getItem(KEY);
      return {
        token: function () { return token; },
        start: function (value) {
          token = value;
          $window.sessionStorage.setItem(KEY, value);
        },
        end: function () {
          token = null;
          $window.sessionStorage.removeItem(KEY);
        }
      };
    }])

    // Sends the token with every API request; a 401 from the users API
    // (expired or revoked token) ends the session.
    .factory('bearerToken', ['$q', '$rootScope', 'session', function ($q, $rootScope, session) {
      function isApi(config) { return config.url.indexOf(API) === 0; }
      return {
        request: function (config) {
          if (session.token() && isApi(config)) {
            config.headers.Authorization = 'Bearer ' + session.token();
          }
          return config;
        },
        responseError: function (rejection) {
          if (rejection.status === 401 && rejection.config.url.indexOf(API + 'users') === 0) {
            session.end();
            $rootScope.$broadcast('session:ended');
          }
          return $q.reject(rejection);
        }
      };
    }])

    .config(['$httpProvider', function ($httpProvider) {
      $httpProvider.interceptors.push('bearerToken');
    }])

    // A JSON:API collection is an object (data, links, meta), not an array,
    // hence query with isArray: false; updates are PATCH.
    .factory('User', ['$resource', function ($resource) {
      var reading = {Accept: JSON_API};
      var writing = {Accept: JSON_API, 'Content-Type': JSON_API};
      return $resource(API + 'users/:id.json', {id: '@data.id'}, {
        get: {method: 'GET', headers: reading},
        me: {method: 'GET', params: {id: 'me'}, headers: reading},
        query: {method: 'GET', isArray: false, headers: reading},
        save: {method: 'POST', headers: writing},
        update: {method: 'PATCH', headers: writing},
        remove: {method: 'DELETE', headers: reading},
        'delete': {method: 'DELETE', headers: reading}
      });
    }])

    .controller('ConsoleController', [
      '$http', '$httpParamSerializer', '$filter', '$scope', '$window', 'User', 'session',
      function ($http, $httpParamSerializer, $filter, $scope, $window, User, session) {
        var vm = this;
        vm.errors = [];
        vm.invalid = {};
        vm.credentials = {};
        vm.pageNumber = 1;
        vm.query = '';

        vm.signedIn = function () { return !!session.token(); };

        vm.signIn = function () {
          clearMessages();
          vm.busy = true;
          var form = $httpParamSerializer({
            grant_type: 'password',
            username: vm.credentials.email || '',
            password: vm.credentials.password || ''
          });
          $http.post(API + 'auth/token', form, {
            headers: {'Content-Type': 'application/x-www-form-urlencoded'}
          }).then(function (response) {
            session.start(response.data.access_token);
            vm.credentials = {};
            start();
          }, fail).finally(function () { vm.busy = false; });
        };

        vm.signOut = function () {
          session.end();
          reset();
          clearMessages();
        };

        vm.load = function (number) {
          number = Math.max(1, number || 1);
          var params = {'page[number]': number, 'page[size]': PAGE_SIZE, sort: '-created_at'};
          if (vm.query) { params['filter[q]'] = vm.query; }
          return User.query(params).$promise.then(function (page) {
            if (page.data.length === 0 && number > 1) { return vm.load(number - 1); }
            vm.page = page;
            vm.pageNumber = number;
          }, fail);
        };

        vm.lastPage = function () {
          return Math.max(1, Math.ceil(vm.page.meta.total / PAGE_SIZE));
        };

        vm.startCreate = function () {
          clearMessages();
          vm.editing = {attributes: {role: 'user'}};
        };

        vm.startEdit = function (user) {
          clearMessages();
          var attributes = {};
          EDITABLE.forEach(function (name) { attributes[name] = user.attributes[name]; });
          attributes.dob = toDate(attributes.dob);
          vm.editing = {id: user.id, original: user.attributes, attributes: attributes};
        };

        vm.cancel = function () {
          vm.editing = null;
          clearMessages();
        };

        vm.save = function () {
          clearMessages();
          var id = vm.editing.id;
          var document = new User({
            data: {type: 'users', attributes: changes(vm.editing.attributes, vm.editing.original)}
          });
          if (id) { document.data.id = id; }
          vm.busy = true;
          (id ? document.$update() : document.$save()).then(function (saved) {
            vm.editing = null;
            vm.notice = (id ? 'Saved ' : 'Created ') + saved.data.attributes.email;
            if (vm.me && saved.data.id === vm.me.id) { vm.me = saved.data; }
            return vm.load(id ? vm.pageNumber : 1);
          }, fail).finally(function () { vm.busy = false; });
        };

        vm.remove = function (user) {
          clearMessages();
          if (!$window.confirm('Delete ' + user.attributes.email + '?')) { return; }
          User.remove({id: user.id}).$promise.then(function () {
            if (vm.me && user.id === vm.me.id) { return vm.signOut(); }
            if (vm.editing && vm.editing.id === user.id) { vm.editing = null; }
            vm.notice = 'Deleted ' + user.attributes.email;
            return vm.load(vm.pageNumber);
          }, fail);
        };

        $scope.$on('session:ended', reset);

        if (session.token()) { start(); }

        function start() {
          User.me().$promise.then(function (document) {
            vm.me = document.data;
            return vm.load(1);
          }, fail);
        }

        function reset() {
          vm.me = null;
          vm.page = null;
          vm.editing = null;
        }

        function clearMessages() {
          vm.errors = [];
          vm.invalid = {};
          vm.notice = null;
        }

        // Shows the JSON:API error objects (or an RFC 6749 error from the
        // token endpoint) and marks the fields their pointers name.
        function fail(response) {
          vm.errors = errorObjects(response);
          vm.invalid = {};
          vm.errors.forEach(function (error) {
            var pointer = (error.source && error.source.pointer) || '';
            var match = /^\/data\/attributes\/(\w+)$/.exec(pointer);
            if (match) { vm.invalid[match[1]] = true; }
          });
        }

        // The attributes to send: on create, those given; on edit, those
        // changed (an emptied optional field becomes null, which clears it).
        function changes(values, original) {
          var attributes = {};
          EDITABLE.forEach(function (name) {
            var value = name === 'dob' ? fromDate(values.dob) : values[name];
            if (value === undefined || value === '') { value = null; }
            if (original ? value === original[name] : value === null || (name === 'role' && value === 'user')) {
              return;
            }
            attributes[name] = value;
          });
          if (values.password) { attributes.password = values.password; }
          return attributes;
        }

        // input[type=date] works on Date objects; dob is a calendar date.
        function toDate(text) {
          var parts = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text || '');
          return parts ? new Date(+parts[1], parts[2] - 1, +parts[3]) : null;
        }

        function fromDate(date) {
          return date ? $filter('date')(date, 'yyyy-MM-dd') : null;
        }
      }
    ]);

  function errorObjects(response) {
    var data = response.data;
    if (data && angular.isArray(data.errors)) { return data.errors; }
    if (data && data.error) {
      return [{status: String(response.status), title: data.error, detail: data.error_description}];
    }
    if (response.status <= 0) {
      return [{title: 'No answer', detail: 'the service could not be reached'}];
    }
    return [{status: String(response.status), title: response.statusText || 'Error'}];
  }
})(window.angular);
